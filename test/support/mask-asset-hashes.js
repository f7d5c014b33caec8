/** Snapshot serializer: asset hashes change with every code edit; mask them so snapshots show structure. */
const HASH = /[0-9a-f]{64}(\.zip)?/g;

module.exports = {
  test: (value) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value, config, indentation, depth, refs, printer) =>
    printer(value.replace(HASH, '<asset-hash>$1'), config, indentation, depth, refs),
};

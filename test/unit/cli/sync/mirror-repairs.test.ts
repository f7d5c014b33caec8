/**
 * A repair with routing puts each mirror index right alone: the settings of each target restrict
 * the routing to that index (so its own documents and tombstones are read, and the item enters or
 * leaves it alone), and an item the index does not hold and that does not belong there is left.
 */
import { belongsInMirror, repairTargets } from '../../../../cli/sync';
import { compileRouting } from '../../../../lambda/core';
import type { PipelineSettings } from '../../../../lambda/pipeline';

const SETTINGS: PipelineSettings = {
  indexes: { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' },
  keySchema: { partitionKey: 'pk' },
  changeLogPartitioning: 'none',
};
const routing = compileRouting(
  [
    { index: 'users', match: { attribute: 'type', equals: 'user' } },
    { index: 'orders', match: { attribute: 'pk', beginsWith: 'ORDER#' } },
  ],
  { exclude: ['ssn'] },
);
const ROUTED: PipelineSettings = { ...SETTINGS, compiledRouting: routing };

describe('the repair of each mirror index', () => {
  it('without routing, is the one mirror with the settings as they are', () => {
    expect(repairTargets(SETTINGS)).toEqual([{ index: 'test-table', settings: SETTINGS }]);
  });

  it('with routing, is one target per index, each routing to that index alone', () => {
    const targets = repairTargets(ROUTED);
    expect(targets.map((target) => target.index)).toEqual(['users', 'orders']);
    for (const [position, target] of targets.entries()) {
      expect(target.settings.indexes.mirror).toBe(target.index);
      expect(target.settings.compiledRouting!.mirrors).toEqual([routing.mirrors[position]]);
      expect(target.settings.compiledRouting!.exclusion).toBe(routing.exclusion);
    }
  });

  it('writes an item the index does not hold only where it belongs (no needless tombstone elsewhere)', () => {
    const [users, orders] = repairTargets(ROUTED).map((target) => target.settings);
    const user = { pk: { S: 'USER#ada' }, type: { S: 'user' } };
    expect(belongsInMirror(users, user)).toBe(true);
    expect(belongsInMirror(orders, user)).toBe(false);
    expect(belongsInMirror(SETTINGS, user)).toBe(true);
  });
});

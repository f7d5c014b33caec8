/**
 * What placing items on the mirror's mapping costs the function per item (pure CPU, no engine):
 * 1,000 items of ~1 KB (about 25 attributes: text, numbers, booleans, a map, a list of maps), on
 * a mapping that knows all their paths (the common case). Per item: the paths asked of the
 * mapping cache, the placement of each attribute, and the document it builds, against the same
 * document built with no decision at all (the stored form). Prints figures; asserts nothing.
 *
 *   npx ts-node --transpile-only scripts/measure-mirror-placement.ts [items=1000] [rounds=20]
 */
import {
  MirrorMapping,
  placedPaths,
  stringifyLossless,
  toChangeRecord,
  toMirrorDocument,
  mirrorMetadata,
  type AttributeMap,
  type ChangeRecord,
  type FieldKind,
  type MirrorEntry,
} from '../lambda/core';

const [count = 1000, rounds = 20] = process.argv.slice(2).map(Number);

function image(i: number): AttributeMap {
  const text = (n: number) => ({ S: `value ${i} ${n} ${'x'.repeat(18)}` });
  return {
    id: { S: `item-${i}` },
    ...Object.fromEntries(Array.from({ length: 12 }, (_, n) => [`text${n}`, text(n)])),
    ...Object.fromEntries(Array.from({ length: 6 }, (_, n) => [`number${n}`, { N: `${i}.${n}` }])),
    active: { BOOL: i % 2 === 0 },
    address: { M: { city: { S: 'Tokyo' }, zip: { S: String(100000 + i) }, geo: { M: { lat: { N: '35.6' }, lon: { N: '139.7' } } } } },
    orders: { L: [0, 1, 2].map((n) => ({ M: { sku: { S: `sku-${n}` }, quantity: { N: String(n + 1) } } })) },
    tags: { SS: ['a', 'b', `t${i % 10}`] },
  };
}

const records: ChangeRecord[] = Array.from({ length: count }, (_, i) =>
  toChangeRecord(
    {
      eventID: `event-${i}`,
      eventName: 'INSERT',
      dynamodb: {
        ApproximateCreationDateTime: 1704110400,
        Keys: { id: { S: `item-${i}` } },
        NewImage: image(i),
        SequenceNumber: String(i + 1).padStart(21, '0'),
      },
    },
    { receivedAt: new Date() },
  ),
);
const entries: MirrorEntry[] = records.map((record, position) => ({ position, record, id: `item-${position}` }));
const bytes = records.reduce(
  (sum, record) => sum + stringifyLossless(toMirrorDocument(record.newImage!, mirrorMetadata(record)).document).length,
  0,
);

// The mapping once the first batch is written: every path known.
const learned = new Map<string, FieldKind>();
const first = new MirrorMapping();
for (const record of records)
  for (const [path, kind] of toMirrorDocument(record.newImage!, mirrorMetadata(record), { form: 'indexed', mapping: first }).newFields)
    learned.set(path, kind);
const known = { kinds: learned, count: [...learned.values()].reduce((sum, kind) => sum + (kind === 'text' ? 2 : 1), 0), limit: 5000 };

function median(run: () => void): number {
  for (let warm = 0; warm < 5; warm++) run(); // compiled by the JIT first, as in a warm container
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const stored = median(() => {
  for (const record of records)
    stringifyLossless(toMirrorDocument(record.newImage!, mirrorMetadata(record), { form: 'stored', reason: 'x' }).document);
});
const paths = median(() => placedPaths(entries));
const placed = median(() => {
  const mapping = new MirrorMapping(known);
  for (const record of records)
    stringifyLossless(toMirrorDocument(record.newImage!, mirrorMetadata(record), { form: 'indexed', mapping }).document);
});
const perItem = (ms: number) => `${((ms * 1000) / count).toFixed(1)} µs/item`;
console.log(
  `${count} items, ${(bytes / count).toFixed(0)} bytes each as mirror documents; ${learned.size} paths known; median of ${rounds} rounds`,
);
console.log(`  document with no decision (stored form):       ${stored.toFixed(1)} ms (${perItem(stored)})`);
console.log(`  paths asked of the mapping cache:              ${paths.toFixed(1)} ms (${perItem(paths)})`);
console.log(`  placed on the mapping, document built:         ${placed.toFixed(1)} ms (${perItem(placed)})`);
console.log(
  `  the check itself (paths + placement - stored): ${(paths + placed - stored).toFixed(1)} ms (${perItem(paths + placed - stored)})`,
);

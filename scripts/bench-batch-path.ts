/**
 * Throughput of the batch path (applyChanges as the function runs it: externally versioned writes
 * without a read, the tombstone check beside them) against raw `_bulk` of the same, pre-built
 * documents, and against the read path (one `_mget` of the mirror and the tombstones before the
 * write, as the operator tools apply changes), on the running OpenSearch (OPENSEARCH_URL, default
 * http://localhost:9200). The three take turns batch by batch (the order rotating), so on a shared,
 * noisy machine they see the same load; ratios are per round, then the median. Prints figures;
 * asserts nothing.
 *
 *   npx ts-node --transpile-only scripts/bench-batch-path.ts [records=5000] [batch=100] [rounds=3]
 */
import { connect, ensureIndexes, OpenSearchPort, actionLines } from '../lambda/adapters/opensearch';
import { toChangeRecord, toChangeLogDocument, stringifyLossless, mirrorMetadata, toMirrorDocument } from '../lambda/core';
import { applyChanges } from '../lambda/pipeline';
import { mirrorBackingIndex } from '../lambda/settings';

const [records = 5000, batchSize = 100, rounds = 3] = process.argv.slice(2).map(Number);
const endpoint = process.env.OPENSEARCH_URL ?? 'http://localhost:9200';
const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/bench/stream/2024-01-01T00:00:00.000';

/** ~1 KB items of a typical shape: strings, numbers, a map and a list. */
function record(i: number, run: string) {
  const id = `${run}-${String(i).padStart(6, '0')}`;
  const image = {
    id: { S: id },
    name: { S: `user ${i} ${'x'.repeat(600)}` },
    age: { N: String(20 + (i % 50)) },
    score: { N: `${i}.${i % 97}` },
    address: { M: { city: { S: 'Tokyo' }, zip: { S: String(100000 + i) } } },
    tags: { L: [{ S: 'a' }, { S: 'b' }, { S: `t${i % 10}` }] },
  };
  return {
    eventID: `${run}-event-${i}`,
    eventName: 'INSERT',
    eventSourceARN: STREAM_ARN,
    dynamodb: {
      ApproximateCreationDateTime: 1704110400,
      Keys: { id: image.id },
      NewImage: image,
      SequenceNumber: String(1_000_000 + i).padStart(21, '0'),
    },
  };
}

type Arm = 'raw' | 'unread' | 'read';

async function main(): Promise<void> {
  const client = await connect({ endpoint, requestTimeoutMs: 120_000 });
  const ratios: { unread: number; read: number }[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const run = `bench-${Date.now().toString(36)}`;
      const batch = Array.from({ length: records }, (_, i) => record(i, run));
      const names = (arm: Arm) => ({ changeLog: `${run}-${arm}-log`, mirror: `${run}-${arm}-mirror`, deadLetter: `${run}-${arm}-dl` });
      for (const arm of ['raw', 'unread', 'read'] as const) await ensureIndexes(client, { indexes: names(arm) });
      const raw = names('raw');
      const port = new OpenSearchPort(client, 9 * 1024 * 1024);

      // The same documents, as raw `_bulk` requests of the same batches (built before timing).
      const receivedAt = new Date();
      const bodies: string[] = [];
      for (let start = 0; start < records; start += batchSize) {
        const lines = batch.slice(start, start + batchSize).flatMap((raw_) => {
          const change = toChangeRecord(raw_, { receivedAt });
          return [
            actionLines({
              operation: 'put',
              role: 'change-log',
              index: raw.changeLog,
              id: change.eventId,
              condition: { kind: 'any' },
              document: JSON.stringify(toChangeLogDocument(change, receivedAt)),
              records: [0],
            }),
            actionLines({
              operation: 'put',
              role: 'mirror',
              index: mirrorBackingIndex(raw.mirror),
              id: change.newImage!.id.S!,
              condition: { kind: 'any' },
              document: stringifyLossless(toMirrorDocument(change.newImage!, mirrorMetadata(change)).document),
              records: [0],
            }),
          ];
        });
        bodies.push(lines.join(''));
      }
      const seconds: Record<Arm, number> = { raw: 0, unread: 0, read: 0 };
      const timed = async (arm: Arm, turn: number, start: number) => {
        const t0 = performance.now();
        if (arm === 'raw') {
          const response = await client.request({ method: 'POST', path: '/_bulk', bulkBody: bodies[turn] });
          if ((response.body as { errors: boolean }).errors) throw new Error('raw bulk reported errors');
        } else {
          const result = await applyChanges(
            batch.slice(start, start + batchSize),
            {
              indexes: names(arm),
              keySchema: { partitionKey: 'id' },
              changeLogPartitioning: 'none',
              mayRaceWithDeletes: false, // as the function (see PipelineSettings)
              writeStreamChangesWithoutRead: arm === 'unread',
            },
            port,
          );
          if (result.failures.length + result.deadLettered.length > 0)
            throw new Error(`pipeline: ${JSON.stringify(result.failures[0] ?? result.deadLettered[0])}`);
        }
        seconds[arm] += (performance.now() - t0) / 1000;
      };
      const arms: Arm[] = ['raw', 'unread', 'read'];
      for (let start = 0, turn = 0; start < records; start += batchSize, turn++)
        for (let k = 0; k < arms.length; k++) await timed(arms[(turn + k) % arms.length], turn, start);
      ratios.push({ unread: seconds.raw / seconds.unread, read: seconds.raw / seconds.read });
      const rate = (arm: Arm) => `${(records / seconds[arm]).toFixed(0)} records/s`;
      console.log(
        `round ${round + 1}: raw _bulk ${rate('raw')}, without read ${rate('unread')} (ratio ${ratios[round].unread.toFixed(2)}), ` +
          `read first ${rate('read')} (ratio ${ratios[round].read.toFixed(2)})`,
      );
      await client.request({ method: 'DELETE', path: `/${run}-*` });
    }
  } finally {
    await client.close();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(
    `[figures] ${records} records of ~1 KB in batches of ${batchSize} (2 documents each), against raw _bulk of the same documents: ` +
      `without read ${median(ratios.map((r) => r.unread)).toFixed(2)}, read first ${median(ratios.map((r) => r.read)).toFixed(2)} (median of ${rounds} rounds)`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

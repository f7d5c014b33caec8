/**
 * 1,000 writes across 200 keys (puts, updates, deletes, 8 writers at once): every change appears
 * exactly once in the change log, in order per key, and the mirror equals a Scan of the table.
 * Prints the time from each write to its document being written (a figure, not an assertion).
 */
import { dynamo, runPrefix, search } from '../support/live-system';
import { expectEveryChangeExactlyOnce, expectMirrorEqualsTable, latencyFigures, planWorkload, runWorkload } from '../support/workload';

const client = dynamo();
const opensearch = search();

afterAll(async () => {
  client.destroy();
  await opensearch.close();
});

it('delivers 1,000 mixed changes exactly once and leaves the mirror equal to the table', async () => {
  const prefix = runPrefix('load');
  const perKey = planWorkload(prefix, 200, 1000);
  const seconds = await runWorkload(client, perKey, 8);
  const documents = await expectEveryChangeExactlyOnce(opensearch, prefix, perKey);
  await expectMirrorEqualsTable(client, opensearch, prefix);
  process.stdout.write(
    `[figures] 1000 writes over 200 keys in ${seconds.toFixed(1)} s (${(1000 / seconds).toFixed(0)} writes/s); ` +
      `write -> change-log document written: ${latencyFigures(perKey, documents)} (searchable up to 1 s later: the refresh interval)\n`,
  );
});

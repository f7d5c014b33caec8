/**
 * What the function takes: a DynamoDB Streams batch or the maintenance event. Anything else (a
 * misspelt schedule input, an empty object) is an error that says what was expected, never an
 * empty batch that silently does nothing.
 */
import { handler } from '../../lambda/handler';

it.each([
  ['a misspelt maintenance event', { cdcMaintenance: 'PRUNE' }],
  ['an empty object', {}],
  ['null', null],
  ['Records that are not a list', { Records: 'x' }],
  ['a raw EventBridge scheduled event', { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }],
])('refuses %s, naming both events it takes', async (_case, event) => {
  await expect(handler(event as never)).rejects.toThrow(
    /must be a DynamoDB Streams event \(a list of Records\) or the maintenance event \{"cdcMaintenance":"prune"\}/,
  );
});

it('publishes MaintenanceFailed = 1 when the maintenance cannot run, and fails the invocation', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, {
    OPENSEARCH_ENDPOINT: 'http://localhost:1',
    MIRROR_INDEX: 'test-table',
    KEY_SCHEMA: 'id',
    REQUEST_TIMEOUT_MS: '1000',
  });
  const written: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    let isolated!: typeof handler;
    jest.isolateModules(() => {
      isolated = require('../../lambda/handler').handler;
    });
    await expect(isolated({ cdcMaintenance: 'prune' })).rejects.toThrow(/ECONNREFUSED|connect/);
  } finally {
    write.mockRestore();
    process.env = saved;
  }
  const metrics = written.filter((line) => line.includes('"MaintenanceFailed"')).map((line) => JSON.parse(line));
  expect(metrics).toEqual([expect.objectContaining({ MaintenanceFailed: 1 })]);
});

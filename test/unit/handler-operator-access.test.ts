/**
 * The function at container start with operator roles: it asks the domain to map them, and a
 * domain that refuses (its master user is another) costs a warning, never the batch.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Handler = typeof import('../../lambda/handler').handler;

/** An OpenSearch that refuses the security API as a domain whose master user is another, recording what it gets. */
async function startRefusingDomain() {
  const requests: string[] = [];
  const server = http.createServer((incoming, response) => {
    requests.push(`${incoming.method} ${incoming.url}`);
    incoming.resume();
    incoming.on('end', () => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'FORBIDDEN', message: 'no permissions for [] and User [name=someone]' }));
    });
  });
  const url = await new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A fresh function (its container start not cached) with this environment; the index setup left out (another test's concern). */
function functionWith(environment: Record<string, string>): Handler {
  Object.assign(process.env, environment);
  let handler!: Handler;
  jest.isolateModules(() => {
    jest.doMock('../../lambda/adapters/opensearch', () => ({
      ...jest.requireActual('../../lambda/adapters/opensearch'),
      ensureIndexes: async () => ({ partitioning: 'daily' }),
    }));
    handler = require('../../lambda/handler').handler;
  });
  return handler;
}

let saved: NodeJS.ProcessEnv;
let domain: Awaited<ReturnType<typeof startRefusingDomain>>;
let written: string[];
beforeEach(async () => {
  saved = { ...process.env };
  domain = await startRefusingDomain();
  written = [];
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
  jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(' ')));
  jest.spyOn(console, 'info').mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(' ')));
});
afterEach(async () => {
  jest.restoreAllMocks();
  process.env = saved;
  await domain.close();
});

const BASE = { MIRROR_INDEX: 'test-table', KEY_SCHEMA: 'id', REQUEST_TIMEOUT_MS: '5000' };

it('asks the domain to map the operator roles, and processes the batch with a warning when it refuses', async () => {
  const handler = functionWith({
    ...BASE,
    OPENSEARCH_ENDPOINT: domain.url,
    OPENSEARCH_OPERATOR_ROLE_ARNS: 'arn:aws:iam::123456789012:role/ops',
  });
  await expect(handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  expect(domain.requests).toEqual(['PUT /_plugins/_security/api/roles/dynamodb-cdc-operator']);
  expect(written.join('\n')).toMatch(/operator roles not mapped.*"status":403/);
});

it('sends nothing to the security API without operator roles', async () => {
  const handler = functionWith({ ...BASE, OPENSEARCH_ENDPOINT: domain.url });
  await expect(handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  expect(domain.requests).toEqual([]);
});

/**
 * The function mapping the operators on a new domain, with the function's transport against a server that
 * records every request and keeps roles and mappings as the security plugin's REST API does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type SearchTransport } from '../../../lambda/adapters/opensearch';
import { ensureOperatorAccess, type OperatorAccessLog } from '../../../lambda/adapters/opensearch/operator-access';
import { operatorRole } from '../../../lambda/adapters/opensearch/operator-role';
import type { IndexNames } from '../../../lambda/settings';

const NAMES: IndexNames = { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' };
const OPS = 'arn:aws:iam::123456789012:role/ops';
const AUDIT = 'arn:aws:iam::123456789012:role/team/audit';

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

/** The security API's role and mapping stores; `refuse` answers every request with that status, as a domain whose master user is another. */
async function startSecurityApi(refuse?: number) {
  const requests: Recorded[] = [];
  const stored = new Map<string, unknown>();
  const server = http.createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request = { method: incoming.method ?? 'GET', path: incoming.url ?? '/', body: text ? JSON.parse(text) : undefined };
      requests.push(request);
      const answer = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (refuse) return answer(refuse, { status: 'FORBIDDEN', message: 'no permissions for [] and User [name=someone]' });
      if (request.method !== 'PUT' || !/^\/_plugins\/_security\/api\/(roles|rolesmapping)\/[^/]+$/.test(request.path)) {
        return answer(400, { error: `no handler for ${request.method} ${request.path}` });
      }
      const existed = stored.has(request.path);
      stored.set(request.path, request.body);
      answer(existed ? 200 : 201, { status: existed ? 'OK' : 'CREATED', message: `'${request.path}' ${existed ? 'updated' : 'created'}.` });
    });
  });
  const url = await new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { url, requests, stored, close };
}

function recordingLog() {
  const entries: { level: 'info' | 'warn'; message: string; details: Record<string, unknown> }[] = [];
  const log: OperatorAccessLog = {
    info: (message, details) => entries.push({ level: 'info', message, details }),
    warn: (message, details) => entries.push({ level: 'warn', message, details }),
  };
  return { log, entries };
}

let server: Awaited<ReturnType<typeof startSecurityApi>>;
let client: SearchTransport;
async function serve(refuse?: number) {
  server = await startSecurityApi(refuse);
  client = await connect({ endpoint: server.url, requestTimeoutMs: 5000 });
}
afterEach(async () => {
  await client?.close();
  await server?.close();
});

describe('mapping the operator roles at container start', () => {
  it("puts the pipeline's operator role, then maps the operator roles to it as backend roles", async () => {
    await serve();
    const { log, entries } = recordingLog();
    await expect(ensureOperatorAccess(client, { indexes: NAMES, operatorRoleArns: [OPS, AUDIT] }, log)).resolves.toBe(true);
    expect(server.requests).toEqual([
      { method: 'PUT', path: '/_plugins/_security/api/roles/dynamodb-cdc-operator', body: operatorRole(NAMES) },
      {
        method: 'PUT',
        path: '/_plugins/_security/api/rolesmapping/dynamodb-cdc-operator',
        body: { backend_roles: [OPS, AUDIT, 'arn:aws:iam::123456789012:role/audit'] },
      },
    ]);
    expect(entries).toEqual([expect.objectContaining({ level: 'info', message: 'operator roles mapped' })]);
  });

  it("puts a role over every routed mirror's indexes", async () => {
    await serve();
    const routing = { mirrors: [{ index: 'users' }, { index: 'orders' }], changeLog: {} };
    await ensureOperatorAccess(client, { indexes: NAMES, routing, operatorRoleArns: [OPS] }, recordingLog().log);
    expect(server.requests[0].body).toEqual(operatorRole(NAMES, ['users', 'orders']));
  });

  it('is idempotent: a second start sends the same and leaves the same role and mapping; a role taken out is unmapped', async () => {
    await serve();
    const { log } = recordingLog();
    await ensureOperatorAccess(client, { indexes: NAMES, operatorRoleArns: [OPS, AUDIT] }, log);
    const first = new Map(server.stored);
    const sent = server.requests.splice(0);
    await ensureOperatorAccess(client, { indexes: NAMES, operatorRoleArns: [OPS, AUDIT] }, log);
    expect(server.requests).toEqual(sent);
    expect(server.stored).toEqual(first);
    await ensureOperatorAccess(client, { indexes: NAMES, operatorRoleArns: [OPS] }, log);
    expect(server.stored.get('/_plugins/_security/api/rolesmapping/dynamodb-cdc-operator')).toEqual({ backend_roles: [OPS] });
  });

  it.each([403, 401, 500])('a refusal (%i) is a warning with the reason and what to check, never an error', async (status) => {
    await serve(status);
    const { log, entries } = recordingLog();
    await expect(ensureOperatorAccess(client, { indexes: NAMES, operatorRoleArns: [OPS] }, log)).resolves.toBe(false);
    expect(server.requests.map((request) => request.path)).toEqual(['/_plugins/_security/api/roles/dynamodb-cdc-operator']);
    expect(entries).toEqual([
      {
        level: 'warn',
        message: expect.stringMatching(/operator roles not mapped: .* the next container start tries again/),
        details: expect.objectContaining({
          role: 'dynamodb-cdc-operator',
          backendRoles: [OPS],
          status,
          reason: expect.stringContaining('no permissions'),
        }),
      },
    ]);
    if (status !== 500) expect(entries[0].details.hint).toMatch(/master user/);
  });

  it('an unreachable domain is a warning too', async () => {
    await serve();
    await server.close();
    const { log, entries } = recordingLog();
    await expect(ensureOperatorAccess(client, { indexes: NAMES, operatorRoleArns: [OPS] }, log)).resolves.toBe(false);
    expect(entries).toEqual([
      expect.objectContaining({
        level: 'warn',
        details: expect.objectContaining({ reason: expect.stringMatching(/ECONNREFUSED|connect/) }),
      }),
    ]);
  });

  it.each([
    ['no operator roles', undefined],
    ['an empty list', []],
  ])('sends nothing with %s', async (_case, operatorRoleArns) => {
    await serve();
    const { log, entries } = recordingLog();
    await expect(ensureOperatorAccess(client, { indexes: NAMES, operatorRoleArns }, log)).resolves.toBe(false);
    expect(server.requests).toEqual([]);
    expect(entries).toEqual([]);
  });
});

/**
 * The adapters' connection, signing as the settings say, against a server that checks every
 * signature independently (the AWS SDK's signer, re-signing what it received) and refuses what does
 * not match; basic authentication with its user read by a signed GetSecretValue, checked the same way.
 */
import { createHash } from 'node:crypto';
import type { AwsCredentialsProvider } from '../../../lambda/adapters/aws-credentials';
import { connect, pathOf, type SearchTransport } from '../../../lambda/adapters/opensearch';
import type { OpenSearchAuth, SigningService } from '../../../lambda/settings/function-settings';
import { startFakeSecretsManager, type FakeSecretsManager } from '../../support/fake-secrets-manager';
import {
  startBasicAuthServer,
  startSigV4Server,
  startTamperingProxy,
  type InFlight,
  type RunningServer,
  type TestCredentials,
} from '../../support/signature-checking-server';

const REGION = 'eu-west-1';
const CREDENTIALS: TestCredentials = {
  accessKeyId: 'AKIDSIGNINGTEST',
  secretAccessKey: 'signing/test+secret',
  sessionToken: 'session-token-for-the-test',
};
const ENV_NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;

const sigv4 = (service: SigningService, region = REGION): OpenSearchAuth => ({ mode: 'sigv4', service, region });

/**
 * `_bulk` NDJSON with non-ASCII text and attribute names a naive parser trips on. Written as text:
 * an object literal's `__proto__` sets the prototype and JSON.stringify would leave it out.
 */
const BULK_TEXT = [
  '{"index":{"_index":"mirror-000001","_id":"user-ü/1"}}',
  '{"name":"Zoë Ångström","city":"東京","emoji":"🚀","__proto__":{"polluted":true},"constructor":"c"}',
  '{"index":{"_index":"mirror-000001","_id":"user-2"}}',
  '{"note":"ünïcödé\u2028line","nested":{"__proto__":"x"}}',
  '',
].join('\n');

let saved: Record<string, string | undefined>;
beforeAll(() => {
  // Where Lambda puts the function's credentials, and where the connection takes them from by default.
  saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
  delete process.env.AWS_PROFILE;
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = CREDENTIALS.sessionToken;
});
afterAll(() => {
  for (const name of ENV_NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

const search = (client: SearchTransport) => client.request({ method: 'POST', path: '/a/_search' });

/** Runs `use` with a client and the servers it needs, and stops them all whatever happens. */
async function withServers<T>(servers: RunningServer[], client: SearchTransport, use: () => Promise<T>): Promise<T> {
  try {
    return await use();
  } finally {
    await client.close();
    for (const server of servers) await server.close();
  }
}

describe.each<SigningService>(['es', 'aoss'])('a connection signing for %s with the credentials in the environment', (service) => {
  it('is accepted for a search with a query string, signed for the service and region', async () => {
    const server = await startSigV4Server({ service, region: REGION, credentials: [CREDENTIALS] });
    const client = await connect({ endpoint: server.url, requestTimeoutMs: 5_000, auth: sigv4(service) });
    await withServers([server], client, async () => {
      const response = await client.request({
        method: 'POST',
        path: pathOf('cdc-change-log-2026.11.27', '_search'),
        querystring: { q: 'key:user-1 AND name:Zoë', size: 10, sort: ['_doc'] },
      });
      expect(response.statusCode).toBe(200);
      expect(server.received.map((request) => request.verdict)).toEqual(['accepted']);
      const authorization = String(server.received[0].headers.authorization);
      expect(authorization).toContain(`Credential=${CREDENTIALS.accessKeyId}/`);
      expect(authorization).toContain(`/${REGION}/${service}/aws4_request`);
      // The session token from the environment is sent and signed.
      expect(server.received[0].headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
      expect(authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
    });
  });

  it('is accepted for paths the client escapes: a document id with space, slash, non-ASCII and #, and several indexes with a wildcard', async () => {
    const server = await startSigV4Server({ service, region: REGION, credentials: [CREDENTIALS] });
    const client = await connect({ endpoint: server.url, requestTimeoutMs: 5_000, auth: sigv4(service) });
    await withServers([server], client, async () => {
      await client.request({ method: 'GET', path: pathOf('mirror', '_doc', 'user ü/1#x') });
      await client.request({
        method: 'POST',
        path: pathOf('cdc-change-log-*,cdc-dead-letters', '_search'),
        body: { query: { match_all: {} } },
      });
      expect(server.received.map((request) => [request.path, request.verdict])).toEqual([
        ['/mirror/_doc/user%20%C3%BC%2F1%23x', 'accepted'],
        ['/cdc-change-log-*%2Ccdc-dead-letters/_search', 'accepted'],
      ]);
    });
  });

  it('is accepted for a _bulk whose NDJSON body has non-ASCII text and __proto__ keys, which arrive byte for byte', async () => {
    const server = await startSigV4Server({ service, region: REGION, credentials: [CREDENTIALS] });
    const client = await connect({ endpoint: server.url, requestTimeoutMs: 5_000, auth: sigv4(service) });
    await withServers([server], client, async () => {
      const response = await client.request({ method: 'POST', path: '/_bulk', bulkBody: BULK_TEXT });
      expect(response.body.errors).toBe(false);
      expect(response.body.items).toHaveLength(2);
      const [received] = server.received;
      expect(received.verdict).toBe('accepted');
      expect(received.body.toString('utf8')).toBe(BULK_TEXT);
      // The body's hash is signed: what `aoss` requires, and what makes a changed body detectable.
      expect(received.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(BULK_TEXT, 'utf8').digest('hex'));
      expect(String(received.headers.authorization)).toMatch(/SignedHeaders=[^,]*x-amz-content-sha256/);
    });
  });
});

describe('a signed request changed on its way', () => {
  const mismatch = /^signature mismatch/;
  const tampering: [string, (request: InFlight) => void, RegExp][] = [
    [
      'one byte of the body',
      (request) => (request.body = Buffer.from(request.body.toString('latin1').replace('user-2', 'user-3'), 'latin1')),
      /^the body does not match x-amz-content-sha256$/,
    ],
    ['the index in the path', (request) => (request.path = request.path.replace('mirror', 'mirrox')), mismatch],
    ['the query string', (request) => (request.path = request.path.replace('refresh=true', 'refresh=false')), mismatch],
    [
      'the signed date header',
      (request) =>
        (request.headers['x-amz-date'] = String(request.headers['x-amz-date']).replace(/\d(?=Z$)/, (digit) =>
          String((Number(digit) + 1) % 10),
        )),
      mismatch,
    ],
    ['the session token', (request) => (request.headers['x-amz-security-token'] = 'another-session'), mismatch],
    ['the content type', (request) => (request.headers['content-type'] = 'text/plain'), mismatch],
  ];

  it.each(['es', 'aoss'] as const)('passes the verifier untouched through the same proxy (%s)', async (service) => {
    const server = await startSigV4Server({ service, region: REGION, credentials: [CREDENTIALS] });
    const proxy = await startTamperingProxy(server.url, () => undefined);
    const client = await connect({ endpoint: proxy.url, requestTimeoutMs: 5_000, auth: sigv4(service) });
    await withServers([proxy, server], client, async () => {
      await expect(
        client.request({ method: 'POST', path: '/mirror/_bulk', querystring: { refresh: true }, bulkBody: BULK_TEXT }),
      ).resolves.toMatchObject({ statusCode: 200 });
      expect(server.received.map((request) => request.verdict)).toEqual(['accepted']);
    });
  });

  describe.each(['es', 'aoss'] as const)('for %s', (service) => {
    it.each(tampering)('is refused with 403 when a proxy changes %s, and the client reports it', async (_, tamper, reason) => {
      const server = await startSigV4Server({ service, region: REGION, credentials: [CREDENTIALS] });
      const proxy = await startTamperingProxy(server.url, tamper);
      const client = await connect({ endpoint: proxy.url, requestTimeoutMs: 5_000, auth: sigv4(service) });
      await withServers([proxy, server], client, async () => {
        await expect(
          client.request({ method: 'POST', path: '/mirror/_bulk', querystring: { refresh: true }, bulkBody: BULK_TEXT }),
        ).rejects.toMatchObject({
          name: 'ResponseError',
          statusCode: 403,
        });
        expect(server.received).toHaveLength(1);
        expect(server.received[0].verdict).toMatch(reason);
      });
    });
  });
});

describe('a connection with the wrong signing identity', () => {
  it('is refused when its secret key is not the one the server knows', async () => {
    const server = await startSigV4Server({ service: 'es', region: REGION, credentials: [CREDENTIALS] });
    const awsCredentials: AwsCredentialsProvider = async () => ({ ...CREDENTIALS, secretAccessKey: 'not-the-secret' });
    const client = await connect({ endpoint: server.url, requestTimeoutMs: 5_000, auth: sigv4('es') }, { awsCredentials });
    await withServers([server], client, async () => {
      await expect(search(client)).rejects.toMatchObject({ statusCode: 403 });
      expect(server.received[0].verdict).toMatch(/signature mismatch/);
    });
  });

  it.each([
    ['region', sigv4('es', 'us-east-1')],
    ['service', sigv4('aoss')],
  ])('is refused when it signs for another %s than the endpoint', async (_, auth) => {
    const server = await startSigV4Server({ service: 'es', region: REGION, credentials: [CREDENTIALS] });
    const client = await connect({ endpoint: server.url, requestTimeoutMs: 5_000, auth });
    await withServers([server], client, async () => {
      await expect(search(client)).rejects.toMatchObject({ statusCode: 403 });
    });
  });
});

describe('credentials that expire', () => {
  it('are asked for again before a request, and the request is signed with the new ones', async () => {
    const first: TestCredentials = { accessKeyId: 'AKIDFIRST', secretAccessKey: 'first-secret' };
    const second: TestCredentials = { accessKeyId: 'AKIDSECOND', secretAccessKey: 'second-secret' };
    const handedOut = [first, second];
    let asked = 0;
    // Already expired: the signer must ask the provider again before the next request.
    const awsCredentials: AwsCredentialsProvider = async () => ({ ...handedOut[Math.min(asked++, 1)], expiration: new Date(0) });
    const server = await startSigV4Server({ service: 'es', region: REGION, credentials: [first, second] });
    const client = await connect({ endpoint: server.url, requestTimeoutMs: 5_000, auth: sigv4('es') }, { awsCredentials });
    await withServers([server], client, async () => {
      await search(client);
      await search(client);
      expect(asked).toBe(2);
      expect(
        server.received.map((request) => [request.verdict, /Credential=(\w+)\//.exec(String(request.headers.authorization))?.[1]]),
      ).toEqual([
        ['accepted', 'AKIDFIRST'],
        ['accepted', 'AKIDSECOND'],
      ]);
    });
  });
});

describe('basic authentication from a Secrets Manager secret', () => {
  const USER = 'cdc-writer';
  const PASSWORD = 'pä$$:wörd with spaces';
  let secrets: FakeSecretsManager;
  let arnCount = 0;
  /** A fresh ARN per test: the client caches what it read per ARN for the container's life. */
  const newArn = () => `arn:aws:secretsmanager:${REGION}:123456789012:secret:cdc/opensearch-${++arnCount}-AbCdEf`;
  // The connection's own credentials (the environment's, as in the function) sign the read.
  const access = () => ({ secretsManager: { endpoint: secrets.endpoint } });
  const basic = (secretArn: string): OpenSearchAuth => ({ mode: 'basic', secretArn });

  beforeAll(async () => {
    secrets = await startFakeSecretsManager({ region: REGION, credentials: [CREDENTIALS] });
  });
  afterAll(() => secrets.close());

  it("sends the secret's user name and password, and reads the secret once per container", async () => {
    const arn = newArn();
    secrets.secrets.set(arn, { text: JSON.stringify({ username: USER, password: PASSWORD }) });
    const server = await startBasicAuthServer(USER, PASSWORD);
    const client = await connect({ endpoint: server.url, requestTimeoutMs: 5_000, auth: basic(arn) }, access());
    const again = await connect({ endpoint: server.url, requestTimeoutMs: 5_000, auth: basic(arn) }, access());
    await withServers([server], client, async () => {
      await expect(search(client)).resolves.toMatchObject({ statusCode: 200 });
      await expect(search(again)).resolves.toMatchObject({ statusCode: 200 });
      await again.close();
      expect(server.received.map((request) => request.verdict)).toEqual(['accepted', 'accepted']);
      expect(secrets.reads.filter((read) => read === arn)).toEqual([arn]);
    });
  });

  it("reads the secret signed for secretsmanager in the ARN's region with the session token, and is refused with other credentials", async () => {
    const arn = newArn();
    secrets.secrets.set(arn, { text: JSON.stringify({ username: USER, password: PASSWORD }) });
    const client = await connect({ endpoint: 'http://127.0.0.1:1', requestTimeoutMs: 5_000, auth: basic(arn) }, access());
    await client.close();
    expect(secrets.verdicts.at(-1)).toBe('accepted');
    const wrong: AwsCredentialsProvider = async () => ({ ...CREDENTIALS, secretAccessKey: 'not-the-secret' });
    const refused = connect(
      { endpoint: 'http://127.0.0.1:1', requestTimeoutMs: 5_000, auth: basic(newArn()) },
      { ...access(), awsCredentials: wrong },
    );
    await expect(refused).rejects.toThrow(/InvalidSignatureException/);
    expect(secrets.verdicts.at(-1)).toMatch(/^signature mismatch/);
  });

  it('is refused (401) when the secret holds another password, and the client reports it', async () => {
    const arn = newArn();
    secrets.secrets.set(arn, { text: JSON.stringify({ username: USER, password: 'stale' }) });
    const server = await startBasicAuthServer(USER, PASSWORD);
    const client = await connect({ endpoint: server.url, requestTimeoutMs: 5_000, auth: basic(arn) }, access());
    await withServers([server], client, async () => {
      await expect(search(client)).rejects.toMatchObject({ statusCode: 401 });
    });
  });

  it('fails with the ARN, the cause and the expected shape when the secret does not exist, and reads it again next time', async () => {
    const arn = newArn();
    const creating = connect({ endpoint: 'http://127.0.0.1:1', requestTimeoutMs: 5_000, auth: basic(arn) }, access());
    await expect(creating).rejects.toThrow(arn);
    await expect(creating).rejects.toThrow(
      /ResourceNotFoundException.*secretsmanager:GetSecretValue.*\{"username": "\.\.\.", "password": "\.\.\."\}/,
    );
    secrets.secrets.set(arn, { text: JSON.stringify({ username: USER, password: PASSWORD }) });
    const client = await connect({ endpoint: 'http://127.0.0.1:1', requestTimeoutMs: 5_000, auth: basic(arn) }, access());
    await client.close();
    expect(secrets.reads.filter((read) => read === arn)).toEqual([arn, arn]);
  });

  it.each([
    ['not JSON', { text: '{"username":"cdc-writer","password":"hunter2-SECRET"' }, /is not JSON/],
    ['a JSON array', { text: '["cdc-writer","hunter2-SECRET"]' }, /is not a JSON object/],
    ['without a password', { text: '{"username":"cdc-writer","pass":"hunter2-SECRET"}' }, /no non-empty string "password"/],
    ['with an empty user name', { text: '{"username":"","password":"hunter2-SECRET"}' }, /no non-empty string "username"/],
    ['binary', { binary: Buffer.from('hunter2-SECRET') }, /no text value/],
  ])('fails with the ARN and the expected shape, never the value, when the secret is %s', async (_, secret, problem) => {
    const arn = newArn();
    secrets.secrets.set(arn, secret);
    const error = await connect({ endpoint: 'http://127.0.0.1:1', requestTimeoutMs: 5_000, auth: basic(arn) }, access()).then(
      () => undefined,
      (failure: Error) => failure,
    );
    expect(error?.message).toMatch(problem);
    expect(error?.message).toContain(arn);
    expect(error?.message).toContain('{"username": "...", "password": "..."}');
    expect(error?.message).not.toMatch(/hunter2|SECRET/);
  });
});

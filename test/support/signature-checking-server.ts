/**
 * A stand-in for an OpenSearch endpoint on AWS that checks each request's Signature V4 the way
 * the service does: it signs the request it received again, with the AWS SDK's own signer
 * (`@smithy/signature-v4`, another implementation than the `aws4` inside the OpenSearch client's
 * signer) and the credentials it knows, and refuses (403) a request whose signature differs, or
 * whose body does not hash to the x-amz-content-sha256 it claims. Accepted requests get an
 * OpenSearch-like answer.
 *
 * Also: a proxy that changes requests on their way (to prove a tampered request is refused), and
 * a server that only accepts one basic-auth user.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';

export interface TestCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A request as the server received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly verdict: 'accepted' | string;
}

export interface RunningServer {
  readonly url: string;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Why the request's signature is wrong, or undefined when it is right. */
export async function signatureProblem(
  request: { method: string; path: string; headers: http.IncomingHttpHeaders; body: Buffer },
  expected: { service: string; region: string; credentials: readonly TestCredentials[] },
): Promise<string | undefined> {
  const authorization = String(request.headers.authorization ?? '');
  const parsed = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/[^,]+, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!parsed) return `no SigV4 Authorization header: "${authorization}"`;
  const [, accessKeyId, signedHeaderList] = parsed;
  const credentials = expected.credentials.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (!credentials) return `unknown access key ${accessKeyId}`;
  const signed = signedHeaderList.split(';');
  for (const required of ['host', 'x-amz-date']) if (!signed.includes(required)) return `${required} is not signed`;
  // The service hashes the body it got, whatever hash the request claims.
  const claimedHash = request.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== createHash('sha256').update(request.body).digest('hex'))
    return 'the body does not match x-amz-content-sha256';
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!date) return `x-amz-date is not a SigV4 time: "${amzDate}"`;
  // Only the headers the client signed, as received; headers added on the way (a proxy's) are left out, as the service does.
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = request.headers[name];
    if (value === undefined) return `signed header ${name} is missing`;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const url = new URL(request.path, 'http://placeholder');
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? [query[name], value].flat() : value;
  // The session token is checked as the request carries it (a signed header), not put in by the signer.
  const signer = new SignatureV4({
    service: expected.service,
    region: expected.region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const resigned = await signer.sign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: headers.host,
      path: url.pathname,
      query,
      headers,
      body: request.body.length > 0 ? request.body : undefined,
    },
    { signingDate: new Date(Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6])) },
  );
  const expectedAuthorization = String(resigned.headers.authorization);
  return expectedAuthorization === authorization
    ? undefined
    : `signature mismatch: expected "${expectedAuthorization}", got "${authorization}"`;
}

/** SHA-256 (and HMAC-SHA-256 when given a secret) from node:crypto, in the shape the SDK's signer takes. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(
      typeof data === 'string'
        ? data
        : ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : new Uint8Array(data),
    );
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/** An OpenSearch-like endpoint that accepts only requests signed for `service` in `region` with one of `credentials`. */
export function startSigV4Server(expected: {
  service: string;
  region: string;
  credentials: readonly TestCredentials[];
}): Promise<RunningServer> {
  return startServer((request) => signatureProblem(request, expected));
}

/** An OpenSearch-like endpoint that accepts only `username` with `password`. */
export function startBasicAuthServer(username: string, password: string): Promise<RunningServer> {
  const expected = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  return startServer(
    async (request) =>
      request.headers.authorization === expected ? undefined : `wrong basic credentials: ${request.headers.authorization ?? 'none'}`,
    401,
  );
}

async function startServer(
  problemOf: (request: Omit<ReceivedRequest, 'verdict'>) => Promise<string | undefined>,
  refusal = 403,
): Promise<RunningServer> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer(async (incoming, response) => {
    const body = await readBody(incoming);
    const request = { method: incoming.method ?? 'GET', path: incoming.url ?? '/', headers: incoming.headers, body };
    const problem = await problemOf(request);
    received.push({ ...request, verdict: problem ?? 'accepted' });
    if (problem) {
      respond(response, refusal, { error: { type: 'security_exception', reason: problem }, status: refusal });
      return;
    }
    respond(response, 200, openSearchAnswer(request.path, body));
  });
  return { url: await listen(server), received, close: () => stop(server) };
}

/** What OpenSearch would answer: a bulk result item per action, or an empty search result. */
function openSearchAnswer(path: string, body: Buffer): unknown {
  if (path.split('?')[0].endsWith('/_bulk')) {
    const lines = body
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '');
    const items = lines
      .filter((_, index) => index % 2 === 0)
      .map((line) => {
        const [[action, meta]] = Object.entries(JSON.parse(line) as Record<string, { _index: string; _id: string }>);
        return {
          [action]: { _index: meta._index, _id: meta._id, _version: 1, result: 'created', status: 201, _seq_no: 0, _primary_term: 1 },
        };
      });
    return { took: 1, errors: false, items };
  }
  return {
    took: 1,
    timed_out: false,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: { total: { value: 0, relation: 'eq' }, max_score: null, hits: [] },
  };
}

/** A request on its way: what a proxy may change. */
export interface InFlight {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A proxy in front of `target` that lets `tamper` change each request before passing it on. */
export async function startTamperingProxy(target: string, tamper: (request: InFlight) => void): Promise<RunningServer> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer(async (incoming, response) => {
    const request: InFlight = {
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      headers: { ...incoming.headers },
      body: await readBody(incoming),
    };
    tamper(request);
    received.push({ ...request, verdict: 'forwarded' });
    const forwarded = http.request(
      new URL(request.path, target),
      { method: request.method, headers: { ...request.headers, 'content-length': String(request.body.length) } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', (error) => respond(response, 502, { error: { type: 'proxy_error', reason: error.message } }));
    forwarded.end(request.body);
  });
  return { url: await listen(server), received, close: () => stop(server) };
}

function respond(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function readBody(incoming: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

function stop(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

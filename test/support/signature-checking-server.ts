/**
 * A stand-in for an OpenSearch endpoint on AWS that checks each request's Signature V4 the way
 * the service does: it signs the request it received again, with `aws4` and the credentials it
 * knows, and refuses (403) a request whose signature differs, or whose body does not hash to the
 * x-amz-content-sha256 it claims. Accepted requests get an OpenSearch-like answer.
 *
 * Also: a proxy that changes requests on their way (to prove a tampered request is refused), and
 * a server that only accepts one basic-auth user.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import aws4 from 'aws4';

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
export function signatureProblem(
  request: { method: string; path: string; headers: http.IncomingHttpHeaders; body: Buffer },
  expected: { service: string; region: string; credentials: readonly TestCredentials[] },
): string | undefined {
  const authorization = String(request.headers.authorization ?? '');
  const parsed = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/[^,]+, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!parsed) return `no SigV4 Authorization header: "${authorization}"`;
  const [, accessKeyId, signedHeaderList] = parsed;
  const credentials = expected.credentials.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (!credentials) return `unknown access key ${accessKeyId}`;
  const signed = signedHeaderList.split(';');
  for (const required of ['host', 'x-amz-date']) if (!signed.includes(required)) return `${required} is not signed`;
  // aws4 takes a claimed body hash as it is; the service hashes the body it got.
  const claimedHash = request.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== createHash('sha256').update(request.body).digest('hex')) return 'the body does not match x-amz-content-sha256';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (name !== 'authorization' && value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const resigned = aws4.sign(
    {
      method: request.method,
      host: headers.host,
      path: request.path,
      service: expected.service,
      region: expected.region,
      headers,
      // An empty body is no body: aws4 would otherwise add the content headers the client left out.
      body: request.body.length > 0 ? request.body : undefined,
      // Headers the client did not sign (added on the way, like a proxy's) are left out, as the service does.
      extraHeadersToIgnore: Object.fromEntries(Object.keys(headers).filter((name) => !signed.includes(name)).map((name) => [name, true])),
    } as aws4.Request,
    credentials,
  );
  const expectedAuthorization = String((resigned.headers as Record<string, string>).Authorization);
  return expectedAuthorization === authorization ? undefined : `signature mismatch: expected "${expectedAuthorization}", got "${authorization}"`;
}

/** An OpenSearch-like endpoint that accepts only requests signed for `service` in `region` with one of `credentials`. */
export function startSigV4Server(expected: { service: string; region: string; credentials: readonly TestCredentials[] }): Promise<RunningServer> {
  return startServer((request) => signatureProblem(request, expected));
}

/** An OpenSearch-like endpoint that accepts only `username` with `password`. */
export function startBasicAuthServer(username: string, password: string): Promise<RunningServer> {
  const expected = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  return startServer((request) => (request.headers.authorization === expected ? undefined : `wrong basic credentials: ${request.headers.authorization ?? 'none'}`), 401);
}

async function startServer(problemOf: (request: Omit<ReceivedRequest, 'verdict'>) => string | undefined, refusal = 403): Promise<RunningServer> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer(async (incoming, response) => {
    const body = await readBody(incoming);
    const request = { method: incoming.method ?? 'GET', path: incoming.url ?? '/', headers: incoming.headers, body };
    const problem = problemOf(request);
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
    const lines = body.toString('utf8').split('\n').filter((line) => line !== '');
    const items = lines.filter((_, index) => index % 2 === 0).map((line) => {
      const [[action, meta]] = Object.entries(JSON.parse(line) as Record<string, { _index: string; _id: string }>);
      return { [action]: { _index: meta._index, _id: meta._id, _version: 1, result: 'created', status: 201, _seq_no: 0, _primary_term: 1 } };
    });
    return { took: 1, errors: false, items };
  }
  return { took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: 0, relation: 'eq' }, max_score: null, hits: [] } };
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
    const request: InFlight = { method: incoming.method ?? 'GET', path: incoming.url ?? '/', headers: { ...incoming.headers }, body: await readBody(incoming) };
    tamper(request);
    received.push({ ...request, verdict: 'forwarded' });
    const forwarded = http.request(new URL(request.path, target), { method: request.method, headers: { ...request.headers, 'content-length': String(request.body.length) } }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
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
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function stop(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

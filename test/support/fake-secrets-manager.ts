/**
 * Secrets Manager's GetSecretValue over its own wire protocol (AWS JSON 1.1): a secret is text,
 * binary, or missing (ResourceNotFoundException, as the service says it). Given the credentials it
 * knows, it checks each request's Signature V4 (service `secretsmanager`) as the service does, and
 * refuses a wrong one (InvalidSignatureException).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureProblem, type TestCredentials } from './signature-checking-server';

export type FakeSecret = { readonly text: string } | { readonly binary: Buffer };

export interface FakeSecretsManager {
  readonly endpoint: string;
  readonly secrets: Map<string, FakeSecret>;
  /** SecretIds asked for, in order. */
  readonly reads: string[];
  /** Why each request's signature was refused, in order ('accepted' when it was not). */
  readonly verdicts: string[];
  close(): Promise<void>;
}

export async function startFakeSecretsManager(
  signing: { readonly region: string; readonly credentials: readonly TestCredentials[] } | undefined = undefined,
): Promise<FakeSecretsManager> {
  const secrets = new Map<string, FakeSecret>();
  const reads: string[] = [];
  const verdicts: string[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const answer = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      };
      const received = { method: request.method!, path: request.url!, headers: request.headers, body: Buffer.concat(chunks) };
      const problem = signing && (await signatureProblem(received, { service: 'secretsmanager', ...signing }));
      verdicts.push(problem ?? 'accepted');
      if (problem) return answer(400, { __type: 'InvalidSignatureException', message: problem });
      if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') return answer(400, { __type: 'UnknownOperationException' });
      const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId: string };
      reads.push(SecretId);
      const secret = secrets.get(SecretId);
      if (!secret) return answer(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      const value = 'text' in secret ? { SecretString: secret.text } : { SecretBinary: secret.binary.toString('base64') };
      return answer(200, {
        ARN: SecretId,
        Name: SecretId.split(':').pop(),
        VersionId: 'v1',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_700_000_000,
        ...value,
      });
    });
  });
  const endpoint = await new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
  return {
    endpoint,
    secrets,
    reads,
    verdicts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

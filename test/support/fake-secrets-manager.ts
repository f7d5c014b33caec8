/**
 * Secrets Manager's GetSecretValue over its own wire protocol (AWS JSON 1.1), for the real SDK
 * client: a secret is text, binary, or missing (ResourceNotFoundException, as the service says it).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeSecret = { readonly text: string } | { readonly binary: Buffer };

export interface FakeSecretsManager {
  readonly endpoint: string;
  readonly secrets: Map<string, FakeSecret>;
  /** SecretIds asked for, in order. */
  readonly reads: string[];
  close(): Promise<void>;
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, FakeSecret>();
  const reads: string[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      };
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

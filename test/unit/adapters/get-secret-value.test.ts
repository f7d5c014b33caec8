/** Secrets Manager's GetSecretValue as one signed request: where it goes, what it tries again, how a refusal is named. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getSecretString, SecretsManagerError } from '../../../lambda/adapters/secrets/get-secret-value';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdc/opensearch-AbCdEf';
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

/** A server answering each request with the next of `answers` (status, body), recording what it got. */
async function answering(answers: [number, object][]) {
  const received: { target: unknown; body: string; authorization: unknown }[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        target: request.headers['x-amz-target'],
        body: Buffer.concat(chunks).toString('utf8'),
        authorization: request.headers.authorization,
      });
      const [status, body] = answers[Math.min(received.length - 1, answers.length - 1)];
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('reading a secret with GetSecretValue', () => {
  it('sends one signed GetSecretValue for the ARN and answers its SecretString', async () => {
    const server = await answering([[200, { ARN, SecretString: '{"username":"u","password":"p"}' }]]);
    try {
      await expect(getSecretString(ARN, { endpoint: server.endpoint, region: 'eu-west-1', credentials })).resolves.toBe(
        '{"username":"u","password":"p"}',
      );
      expect(server.received).toEqual([
        {
          target: 'secretsmanager.GetSecretValue',
          body: JSON.stringify({ SecretId: ARN }),
          authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request/),
        },
      ]);
    } finally {
      await server.close();
    }
  });

  it('tries a throttled or failing service again, and reads the secret once it answers', async () => {
    const server = await answering([
      [400, { __type: 'ThrottlingException', message: 'Rate exceeded' }],
      [500, { __type: 'InternalServiceError', message: 'oops' }],
      [200, { ARN, SecretString: 'text' }],
    ]);
    try {
      await expect(getSecretString(ARN, { endpoint: server.endpoint, region: 'eu-west-1', credentials })).resolves.toBe('text');
      expect(server.received).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('gives up at once on a refusal, named and worded as the service says it', async () => {
    const server = await answering([[400, { __type: 'com.amazonaws.secretsmanager#AccessDeniedException', Message: 'not allowed' }]]);
    try {
      const failure = getSecretString(ARN, { endpoint: server.endpoint, region: 'eu-west-1', credentials });
      await expect(failure).rejects.toBeInstanceOf(SecretsManagerError);
      await expect(failure).rejects.toMatchObject({ name: 'AccessDeniedException', message: 'not allowed' });
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('goes to the endpoint AWS_ENDPOINT_URL_SECRETS_MANAGER names when none is given (the emulators)', async () => {
    const server = await answering([[200, { ARN, SecretString: 'from the emulator' }]]);
    const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = server.endpoint;
    try {
      await expect(getSecretString(ARN, { region: 'eu-west-1', credentials })).resolves.toBe('from the emulator');
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
      await server.close();
    }
  });
});

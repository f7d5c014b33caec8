/** The function's AWS credentials: those Lambda puts in its environment for its role. */
import { environmentCredentials } from '../../../lambda/adapters/aws-credentials';

const NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION'] as const;
let saved: Record<string, string | undefined>;
beforeEach(() => {
  saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));
  for (const name of NAMES) delete process.env[name];
});
afterEach(() => {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('the credentials in the environment', () => {
  it("are the role's key, secret and session token, read when asked (Lambda renews them)", async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
    await expect(environmentCredentials()).resolves.toEqual({ accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'token' });
    process.env.AWS_SESSION_TOKEN = 'renewed';
    await expect(environmentCredentials()).resolves.toMatchObject({ sessionToken: 'renewed' });
  });

  it('carry their expiration when the environment gives one', async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKID',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_CREDENTIAL_EXPIRATION: '2026-12-03T15:00:00Z',
    });
    await expect(environmentCredentials()).resolves.toMatchObject({ expiration: new Date('2026-12-03T15:00:00Z') });
  });

  it('fail naming the variables that are missing', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKID';
    await expect(environmentCredentials()).rejects.toThrow(/AWS_SECRET_ACCESS_KEY unset/);
  });
});

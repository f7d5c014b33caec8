/**
 * The AWS emulator the local runner uses: MiniStack (default) or LocalStack 4.14 as a host
 * process, chosen with CDC_EMULATOR. Both serve the same LocalStack-style API on one port.
 */
import { StepError } from '../step-error';
import type { Engine } from './engine';
import { localStackEngine } from './localstack';
import { miniStackEngine } from './ministack';

export const EMULATORS = {
  ministack: miniStackEngine,
  localstack: localStackEngine,
} as const;

export type EmulatorName = keyof typeof EMULATORS;

export function emulatorName(env: NodeJS.ProcessEnv = process.env): EmulatorName {
  const name = (env.CDC_EMULATOR ?? 'ministack').trim().toLowerCase() || 'ministack';
  if (!(name in EMULATORS)) {
    throw new StepError(
      'choosing the AWS emulator',
      `CDC_EMULATOR=${env.CDC_EMULATOR} is not one of ${Object.keys(EMULATORS).join(', ')}`,
      'unset CDC_EMULATOR (MiniStack) or set it to localstack',
    );
  }
  return name as EmulatorName;
}

export function emulatorEngine(port: number, name: EmulatorName = emulatorName()): Engine {
  return EMULATORS[name](port);
}

/**
 * Which emulator answers at `awsUrl`, asked over HTTP (a PID file can be stale, and an emulator
 * started by someone else has none): MiniStack serves `/_ministack/health`; LocalStack serves
 * `/_localstack/info` with its version (MiniStack answers that path 404). Undefined when neither
 * answers.
 */
export async function emulatorAt(awsUrl: string, timeoutMs = 3000): Promise<EmulatorName | undefined> {
  const answer = async (path: string): Promise<Record<string, unknown> | undefined> => {
    try {
      const response = await fetch(new URL(path, awsUrl), { signal: AbortSignal.timeout(timeoutMs) });
      return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  if (await answer('/_ministack/health')) return 'ministack';
  const info = await answer('/_localstack/info');
  return typeof info?.version === 'string' ? 'localstack' : undefined;
}

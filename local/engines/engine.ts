/** What the runner needs to know of each local engine. */
import type { Started } from '../processes';

export interface Engine {
  /** Short name used in messages, log file names and the state file. */
  readonly name: string;
  readonly port: number;
  /** Answers 200 once the engine can serve requests. */
  readonly healthUrl: string;
  /** A substring of the engine's command line: a recorded PID that no longer shows it is not ours. */
  readonly commandLineMark: string;
  /** Checks prerequisites, then downloads the engine on first use; a no-op afterwards. */
  install(): Promise<void>;
  start(logFile: string): Started;
  /** Extra setup once healthy (cluster settings and the like). */
  afterReady?(): Promise<void>;
  /** How long a cold start may take before it counts as failed. */
  readonly startTimeoutMs: number;
  /** What to try when it fails to start (shown under the log tail). */
  readonly hint: string;
  /** AWS emulators only: the CDK context a local deploy into this emulator needs. */
  readonly deployContext?: readonly string[];
}

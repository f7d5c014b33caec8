/** The `cdc` flags that point the CLI at a pipeline of a test's own (its table and indexes), without a deployed stack. */
import type { IndexNames } from '../../lambda/settings';

export function pipelineFlags(table: string, names: IndexNames, options: { keySchema?: string; stack?: string } = {}): string[] {
  return [
    ...(options.stack === undefined ? [] : ['--stack', options.stack]),
    ...['--table', table, '--key-schema', options.keySchema ?? 'id'],
    ...['--mirror-index', names.mirror, '--change-log-index', names.changeLog, '--dead-letter-index', names.deadLetter],
  ];
}

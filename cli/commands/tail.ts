/**
 * `cdc tail`: follows the change log live, one line per change, until Ctrl-C.
 */
import type { Command } from 'commander';
import { ChangeLogReader, type ChangeLogPosition } from '../../lambda/adapters/opensearch';
import { changeJson, changeLine } from '../output';
import { itemKey } from '../table';
import { wholeNumberFlag, withDeployment, type GlobalOptions, searchClient } from '../deployment';

const PAGE_SIZE = 1000;

export function registerTail(program: Command): void {
  program
    .command('tail')
    .description('follow the change log live, one line per change (time, event, key, what a MODIFY changed), until Ctrl-C')
    .option('--key <values...>', 'only this item (its key values, as for history)')
    .option('--since <time>', 'start from this time (ISO-8601) instead of now')
    .option('--interval <ms>', 'how often to look for new changes', '1000')
    .option('--json', 'one JSON document per line, for scripts')
    .action(async (options: { key?: string[]; since?: string; interval: string; json?: boolean }, command: Command) => {
      await withDeployment(command.optsWithGlobals<GlobalOptions>(), async ({ deployment }) => {
        const key = options.key ? itemKey(options.key, deployment.settings.keySchema, '--key') : undefined;
        const intervalMs = wholeNumberFlag('--interval', options.interval, { max: 3_600_000 })!;
        const since = options.since ? new Date(options.since) : new Date();
        if (Number.isNaN(since.getTime())) throw new Error(`--since must be a time such as 2026-01-01T12:00:00Z, got "${options.since}"`);
        const client = await searchClient(deployment);
        const reader = new ChangeLogReader(client, deployment.settings.indexes.changeLog);
        let stopped = false;
        const stop = () => {
          stopped = true;
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (!options.json)
          console.error(
            `following ${deployment.settings.indexes.changeLog}${key ? ` for ${options.key!.join(' ')}` : ''} from ${since.toISOString()}; Ctrl-C stops`,
          );
        let position: ChangeLogPosition = { since: since.toISOString() };
        try {
          while (!stopped) {
            const { changes, next } = await reader.writtenSince(position, { key, limit: PAGE_SIZE });
            for (const change of changes) console.log(options.json ? JSON.stringify(changeJson(change)) : changeLine(change));
            position = next;
            // A full page: more are waiting, read on at once.
            if (changes.length < PAGE_SIZE) await new Promise((resolve) => setTimeout(resolve, intervalMs));
          }
        } finally {
          await client.close();
        }
      });
    });
}

/**
 * `cdc tail`: follows the change log live, one line per change, until Ctrl-C.
 */
import type { Command } from 'commander';
import { ChangeLogReader } from '../../lambda/adapters/opensearch';
import { changeJson, changeLine } from '../output';
import { itemKey } from '../table';
import { withDeployment, type GlobalOptions, searchClient } from '../deployment';

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
        // The cursor is a processing time; the changes seen at exactly that time are remembered,
        // so the next look (which starts there again) shows none of them twice.
        let cursor = since.toISOString();
        let seenAtCursor = new Set<string>();
        try {
          while (!stopped) {
            const fresh = (await reader.writtenAfter(cursor, { key })).filter((change) => !seenAtCursor.has(change.event_id));
            for (const change of fresh) console.log(options.json ? JSON.stringify(changeJson(change)) : changeLine(change));
            if (fresh.length > 0) {
              const last = fresh[fresh.length - 1].processed_at;
              seenAtCursor = new Set([
                ...(last === cursor ? seenAtCursor : []),
                ...fresh.filter((change) => change.processed_at === last).map((change) => change.event_id),
              ]);
              cursor = last;
            }
            await new Promise((resolve) => setTimeout(resolve, Number(options.interval)));
          }
        } finally {
          await client.close();
        }
      });
    });
}

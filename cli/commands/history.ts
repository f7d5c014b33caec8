/**
 * `cdc history <key…>`: one item's changes from the change log, oldest first, each shown as what
 * it did to the item's attributes.
 */
import type { Command } from 'commander';
import { ChangeLogReader } from '../../lambda/adapters/opensearch';
import { changeBlock, changeJson } from '../output';
import { itemKey } from '../table';
import { withDeployment, type GlobalOptions, searchClient } from '../deployment';

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description("one item's changes, oldest first: each INSERT, MODIFY (as a diff) and REMOVE")
    .argument('<key...>', 'the key values: the partition key, and the sort key if the table has one (e.g. user-001, or "pk-1" "sk-1")')
    .option('--json', 'one JSON document with the changes, for scripts')
    .action(async (values: string[], options: { json?: boolean }, command: Command) => {
      await withDeployment(command.optsWithGlobals<GlobalOptions>(), async ({ deployment }) => {
        const key = itemKey(values, deployment.settings.keySchema);
        const client = await searchClient(deployment);
        try {
          const changes = await new ChangeLogReader(client, deployment.settings.indexes.changeLog).history(key);
          if (options.json) {
            console.log(JSON.stringify({ key, changes: changes.map(changeJson) }, null, 2));
          } else {
            console.log(`${values.join(' ')}: ${changes.length} change(s) in ${deployment.settings.indexes.changeLog}, oldest first`);
            for (const change of changes) for (const line of changeBlock(change)) console.log(line);
          }
          process.exitCode = changes.length > 0 ? 0 : 2;
        } finally {
          await client.close();
        }
      });
    });
}

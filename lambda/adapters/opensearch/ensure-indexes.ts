/**
 * Puts the index templates and creates the indexes, so the mappings are ours before the first
 * document arrives. Safe to run any number of times, from any number of containers.
 */
import type { Client } from '@opensearch-project/opensearch';
import type { IndexNames } from '../../settings/index-names';
import { concreteIndexes, indexTemplates } from './index-templates';

export async function ensureIndexes(client: Client, names: IndexNames): Promise<void> {
  for (const template of indexTemplates(names)) {
    await client.indices.putIndexTemplate({ name: template.name, body: template.body as never });
  }
  for (const index of concreteIndexes(names)) {
    try {
      await client.indices.create({ index });
    } catch (error) {
      const type = (error as { body?: { error?: { type?: string } } }).body?.error?.type;
      if (type === 'resource_already_exists_exception') continue;
      if (type === 'invalid_alias_name_exception') {
        throw new Error(
          `cannot create the mirror alias "${names.mirror}": an index of that name exists already. ` +
            'Delete or rename it, or choose another mirror index name (setting mirrorIndex).',
        );
      }
      throw error;
    }
  }
}

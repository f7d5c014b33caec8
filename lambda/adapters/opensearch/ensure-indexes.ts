/**
 * Puts the index templates and creates the indexes, so the mappings are ours before the first
 * document arrives. Safe to run any number of times, from any number of containers.
 *
 * The change log's layout already in the cluster wins over the setting: a concrete index named as
 * the change log (a deployment from before daily partitions) is kept and written as one index, and
 * an alias of that name (partitions) keeps being partitioned, each with a warning that says how to
 * make setting and cluster agree. Switching in place would need the change log's name as an index
 * and an alias at once, which OpenSearch refuses: every new partition would fail to be created.
 */
import {
  type ChangeLogPartitioning,
  ENVIRONMENT,
  type IndexNames,
  mirrorIndexNames,
  mirrorRoutes,
  type RoutingSettings,
} from '../../settings';
import { describeError } from './bulk-outcome';
import { isShardLimit, SHARD_LIMIT_ADVICE, type OpenSearchError } from './index-creation-refusal';
import { concreteIndexes, indexTemplates, type IndexLayout } from './index-templates';
import { exists, pathOf, type SearchTransport } from './search-transport';

/** The function's settings do: the names, the layout and, when routed, the mirrors (each mirror gets its three indexes). */
export interface IndexSetup extends Omit<IndexLayout, 'mirrors'> {
  readonly indexes: IndexNames;
  /** The routing settings; without `mirrors`, the one mirror `indexes.mirror`. */
  readonly routing?: RoutingSettings;
}

/** How the change log is written, as the cluster decided it; pass `partitioning` on to applyChanges. */
export interface ChangeLogLayout {
  readonly partitioning: ChangeLogPartitioning;
  /** Set when the cluster's layout differs from the setting: log it. */
  readonly warning?: string;
}

export async function ensureIndexes(transport: SearchTransport, setup: IndexSetup, now: Date = new Date()): Promise<ChangeLogLayout> {
  const layout = await detectChangeLogLayout(transport, setup);
  const effective: IndexLayout = {
    changeLogPartitioning: layout.partitioning,
    mirrorShards: setup.mirrorShards,
    mirrors: mirrorRoutes(setup),
  };
  for (const template of indexTemplates(setup.indexes, effective)) {
    await transport.request({ method: 'PUT', path: pathOf('_index_template', template.name), body: template.body });
  }
  for (const index of concreteIndexes(setup.indexes, effective, now)) {
    try {
      await createIndex(transport, index);
    } catch (error) {
      if (engineError(error)?.type === 'invalid_alias_name_exception') throw aliasTaken(setup, index, error);
      throw error;
    }
  }
  return layout;
}

/** A mirror's backing index could not make its alias: an index of the alias's name is in the way. */
function aliasTaken(setup: IndexSetup, backing: string, cause: unknown): Error {
  const alias = mirrorRoutes(setup).find((mirror) => mirrorIndexNames(mirror.index).backing === backing)?.index ?? setup.indexes.mirror;
  const setting = setup.routing?.mirrors ? `the index of that mirror (setting mirrors)` : 'another mirror index name (setting mirrorIndex)';
  return new Error(
    `cannot create the mirror alias "${alias}": an index of that name exists already. Delete or rename it, or choose ${setting}.`,
    { cause },
  );
}

/**
 * Creates one index (its template shapes it); answers false when it exists already. A refusal
 * because of the cluster's shard limit says so and what to do.
 */
export async function createIndex(transport: SearchTransport, index: string): Promise<boolean> {
  try {
    await transport.request({ method: 'PUT', path: pathOf(index) });
    return true;
  } catch (error) {
    const refusal = engineError(error);
    if (refusal?.type === 'resource_already_exists_exception') return false;
    if (isShardLimit(refusal)) {
      throw new Error(`the cluster refused to create the index "${index}" (${describeError(400, refusal)}). ${SHARD_LIMIT_ADVICE}`, {
        cause: error,
      });
    }
    throw error;
  }
}

function engineError(error: unknown): OpenSearchError | undefined {
  return (error as { body?: { error?: OpenSearchError } }).body?.error;
}

/** What the change log's name is in the cluster (nothing, one index, an alias over partitions), against the setting. Reads only. */
export async function detectChangeLogLayout(transport: SearchTransport, setup: IndexSetup): Promise<ChangeLogLayout> {
  const wanted = setup.changeLogPartitioning ?? 'none';
  const name = setup.indexes.changeLog;
  if (!(await exists(transport, pathOf(name)))) return { partitioning: wanted };
  const found: ChangeLogPartitioning = (await exists(transport, pathOf('_alias', name))) ? 'daily' : 'none';
  if (found === wanted) return { partitioning: wanted };
  const setting = `${ENVIRONMENT.changeLogPartitioning}=${found} (context changeLogPartitioning=${found})`;
  return {
    partitioning: found,
    warning:
      found === 'none'
        ? `the change log "${name}" is one index, made before daily partitions: it is kept and written as one index, and nothing is pruned. ` +
          `Set ${setting} to keep it so. To partition it: disable the event source mapping; POST /${name}/_block/write; ` +
          `POST /${name}/_clone/${name}-archive; DELETE /${name}; POST /_aliases {"actions":[{"add":{"index":"${name}-archive","alias":"${name}"}}]}; ` +
          'enable the mapping (running containers set the partitions up on their next batch).'
        : `the change log "${name}" is an alias over daily partitions: it stays partitioned. Set ${setting} to keep it so, ` +
          `or remove the alias and its partitions (after copying what you need) to go back to one index.`,
  };
}

/**
 * A pipeline of the bench's own: fresh indexes under a run prefix, set up as the function sets
 * them up, with the function's settings (from the environment it is deployed with, defaults
 * included), and removed afterwards. Also their size on disk, once merged.
 */
import type { Client } from '@opensearch-project/opensearch';
import { ensureIndexes, OpenSearchPort, overTransport } from '../../lambda/adapters/opensearch';
import { compileRouting } from '../../lambda/core';
import { AS_THE_FUNCTION_WRITES, type PipelineSettings } from '../../lambda/pipeline';
import { benchRoutes, orderTotal } from './bench-routes';
import {
  fromFunctionEnvironment,
  everyIndexTemplateName,
  mirrorRoutes,
  mirrorBackingIndex,
  tombstoneIndex,
  type FunctionSettings,
  type IndexNames,
} from '../../lambda/settings';

export interface BenchPipeline {
  readonly prefix: string;
  /** As the function passes them to applyChanges: the layout found, and no race with deletes. */
  readonly settings: FunctionSettings & PipelineSettings;
  readonly port: OpenSearchPort;
  /** The function's environment for these indexes (for a handler run in a child process). */
  readonly environment: Record<string, string>;
}

export function namesFor(prefix: string): IndexNames {
  return { changeLog: `${prefix}-cdc`, mirror: `${prefix}-table`, deadLetter: `${prefix}-cdc-deadletter` };
}

/** The function's environment for indexes under `prefix` (routed: the three mirrors of bench-routes.ts). */
export function functionEnvironment(openSearchUrl: string, prefix: string, routed = false): Record<string, string> {
  const names = namesFor(prefix);
  return {
    ...(routed ? { MIRRORS: JSON.stringify(benchRoutes(prefix)) } : {}),
    OPENSEARCH_ENDPOINT: openSearchUrl,
    CHANGE_LOG_INDEX: names.changeLog,
    MIRROR_INDEX: names.mirror,
    DEAD_LETTER_INDEX: names.deadLetter,
    KEY_SCHEMA: 'id',
    CHANGE_LOG_PARTITIONING: 'daily',
  };
}

export async function freshPipeline(search: Client, openSearchUrl: string, prefix: string, routed = false): Promise<BenchPipeline> {
  const environment = functionEnvironment(openSearchUrl, prefix, routed);
  const configured = fromFunctionEnvironment(environment);
  const layout = await ensureIndexes(overTransport(search.transport), configured);
  const compiledRouting =
    configured.routing &&
    compileRouting(mirrorRoutes(configured), configured.routing.changeLog, (index) => (index.endsWith('-orders') ? orderTotal : undefined));
  return {
    prefix,
    settings: { ...configured, changeLogPartitioning: layout.partitioning, ...AS_THE_FUNCTION_WRITES, compiledRouting },
    port: new OpenSearchPort(overTransport(search.transport), configured.maxBulkBytes),
    environment,
  };
}

/** Runs `action` on a fresh pipeline, then removes its indexes and templates. */
export async function onFreshPipeline<T>(
  search: Client,
  openSearchUrl: string,
  prefix: string,
  action: (pipeline: BenchPipeline) => Promise<T>,
  routed = false,
): Promise<T> {
  try {
    return await action(await freshPipeline(search, openSearchUrl, prefix, routed));
  } finally {
    await removePipeline(search, prefix);
  }
}

export async function removePipeline(search: Client, prefix: string): Promise<void> {
  await search.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true } as never).catch(() => undefined);
  const names = namesFor(prefix);
  // The routed pipelines' mirrors too (their indexes are under the prefix, their templates by name).
  for (const name of everyIndexTemplateName(names, [names.mirror, ...benchRoutes(prefix).map((route) => route.index)])) {
    await search.indices.deleteIndexTemplate({ name }).catch(() => undefined);
  }
}

export interface StoreSize {
  readonly documents: number;
  readonly bytes: number;
}

/** Bytes on disk and documents of the change log, the mirror and the tombstones, merged into one segment each. */
export async function storeSizes(
  search: Client,
  pipeline: BenchPipeline,
): Promise<Record<'changeLog' | 'mirror' | 'tombstones', StoreSize>> {
  const { indexes } = pipeline.settings;
  const targets = { changeLog: indexes.changeLog, mirror: mirrorBackingIndex(indexes.mirror), tombstones: tombstoneIndex(indexes.mirror) };
  const all = Object.values(targets).join(',');
  await search.indices.refresh({ index: all });
  await search.indices.forcemerge({ index: all, max_num_segments: 1 } as never);
  // A merge to one segment leaves alone an index already in one segment, deleted documents and all.
  await search.indices.forcemerge({ index: all, only_expunge_deletes: true } as never);
  // The segments merged away stay on disk while a reader holds them: a refresh lets them go (without
  // it, a run measured about twice the bytes about half the time).
  await search.indices.refresh({ index: all });
  const sizes = {} as Record<keyof typeof targets, StoreSize>;
  for (const [role, index] of Object.entries(targets) as [keyof typeof targets, string][]) {
    const { body } = await search.indices.stats({ index, metric: ['store', 'docs'] } as never);
    const primaries = (body as { _all: { primaries: { docs?: { count: number }; store?: { size_in_bytes: number } } } })._all.primaries;
    sizes[role] = { documents: primaries.docs?.count ?? 0, bytes: primaries.store?.size_in_bytes ?? 0 };
  }
  return sizes;
}

/**
 * The function as a container of its own, on indexes of a test's own: its set-up cached as a warm
 * Lambda container's, its settings from the environment as deployed.
 */
import type { IndexNames } from '../../lambda/settings/index-names';
import { endpoints } from './live-system';

/** A pipeline's index names under a run prefix. */
export function namesFor(prefix: string): IndexNames {
  return { changeLog: `${prefix}-cdc`, mirror: `${prefix}-table`, deadLetter: `${prefix}-cdc-deadletter` };
}

/** Sets the environment (restore `process.env` after) and loads a fresh copy of the handler. */
export function functionFor(names: IndexNames, environment: Record<string, string> = {}): typeof import('../../lambda/handler').handler {
  Object.assign(process.env, {
    OPENSEARCH_ENDPOINT: endpoints.openSearch,
    CHANGE_LOG_INDEX: names.changeLog,
    MIRROR_INDEX: names.mirror,
    DEAD_LETTER_INDEX: names.deadLetter,
    KEY_SCHEMA: 'id',
    CHANGE_LOG_PARTITIONING: 'daily',
    ...environment,
  });
  let handler!: typeof import('../../lambda/handler').handler;
  jest.isolateModules(() => {
    handler = require('../../lambda/handler').handler;
  });
  return handler;
}

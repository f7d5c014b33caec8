/** The settings contract, shared by the construct, the function and the CLI. */
export * from './setting-error';
export * from './rules';
export * from './aws-arns';
export * from './schedule-expression';
export * from './index-names';
export * from './key-schema';
export * from './setting-values';
export * from './setting-rule';
export * from './setting-declaration';
export * from './settings-table';
export * from './setting-keys';
export * from './function-settings';
export * from './insecure-endpoint';
export * from './observability';
export * from './default-names';
export * from './maintenance-event';

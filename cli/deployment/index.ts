/**
 * Which deployment the CLI operates on, and how it is reached: the stack's outputs and the
 * function's settings (flags override), AWS access (AWS or the local emulator), the OpenSearch
 * client authenticated as the function is, and the options every command shares.
 */
export * from './aws-access';
export * from './find-deployment';
export * from './search-client';
export * from './options';
export * from './number-flag';
export * from './deployment-routing';

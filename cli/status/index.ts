/** The pipeline's health: the verdict from the facts `cdc status` gathers. */
export * from './verdict';
export * from './mirror-counts';

/** Filtering, transformation and routing: which indexes a change goes to, and in what shape. */
export * from './route';
export * from './attribute-path';
export * from './route-match';
export * from './date-value';
export * from './field-conversion';
export * from './document-shaping';
export * from './image-exclusion';
export * from './transform';
export * from './transform-registry';
export * from './shaped-mirror-document';
export * from './routing';

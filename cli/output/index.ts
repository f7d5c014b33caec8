/** How changes are shown to people: one line, a block with a diff, or JSON. */
export * from './change-lines';

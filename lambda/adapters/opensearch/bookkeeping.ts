/** Reading the pipeline's bookkeeping (`_cdc`) back from stored documents. */

/**
 * The bookkeeping's sequence number, when it is one (text of digits). Anything else (a document
 * written by hand, a number, null) reads as none: any change replaces it, and one odd document
 * never stalls the batches of its item or the maintenance.
 */
export function sequenceNumberOf(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d+$/.test(value) ? value : undefined;
}

import { BatchRetryError, batchResponse } from '../../../lambda/pipeline/batch-response';

const failure = (position: number, sequenceNumber?: string) => ({ position, sequenceNumber, reason: 'busy' });

describe('the answer to the event source', () => {
  it.each([
    ['nothing failed, partial reporting', [], 'partial', { batchItemFailures: [] }],
    ['nothing failed, error reporting', [], 'error', { batchItemFailures: [] }],
    [
      'records failed, partial reporting',
      [failure(1, '2'), failure(3, '4')],
      'partial',
      { batchItemFailures: [{ itemIdentifier: '2' }, { itemIdentifier: '4' }] },
    ],
  ] as const)('%s: a partial batch response', (_case, failures, reporting, response) => {
    expect(batchResponse(failures, 5, reporting)).toEqual(response);
  });

  it.each([
    ['records failed, error reporting (emulators that ignore partial responses)', [failure(1, '2')], 'error'],
    ['a failed record has no sequence number (manual or malformed)', [failure(0, '1'), failure(1)], 'partial'],
  ] as const)('%s: the whole batch is retried by a thrown error', (_case, failures, reporting) => {
    expect(() => batchResponse(failures, 5, reporting)).toThrow(BatchRetryError);
    expect(() => batchResponse(failures, 5, reporting)).toThrow(`${failures.length} of 5 record(s) must be retried; first: busy`);
  });
});

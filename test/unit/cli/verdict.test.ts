import { verdictOf } from '../../../cli/status/verdict';

const healthy = {
  tableItems: 10,
  mirrorItems: 10,
  deadLetters: 0,
  queueDepth: 0,
  mappingState: 'Enabled',
  mappingLastResult: 'OK - 3 records',
};

describe('the status verdict', () => {
  it('is healthy when nothing waits and the mirror holds as many items as the table', () => {
    expect(verdictOf(healthy)).toEqual({ status: 'healthy', reason: expect.stringMatching(/every change is applied/) });
  });

  it.each([
    ['OpenSearch cannot be read', { unreachable: 'OpenSearch cannot be read at http://x: ECONNREFUSED' }, 'failing', /ECONNREFUSED/],
    ['the mapping is disabled', { mappingState: 'Disabled' }, 'failing', /mapping is Disabled, not Enabled/],
    ['the mapping last failed', { mappingLastResult: 'PROBLEM: Function call failed' }, 'failing', /last result: PROBLEM/],
    ['batches wait on the DLQ', { queueDepth: 2 }, 'failing', /2 batch\(es\) ran out of retries .* cdc redrive/],
    ['records were refused', { deadLetters: 3 }, 'failing', /3 record\(s\) were refused .* cdc redrive/],
    ['the mirror is behind the table', { mirrorItems: 7 }, 'lagging', /table holds 10 item\(s\), the mirror 7: .*backfill/],
    ['the mirror holds more than the table', { mirrorItems: 12 }, 'lagging', /mirror holds 12 item\(s\), the table 10/],
  ])('is %s: %j', (_case, facts, status, reason) => {
    expect(verdictOf({ ...healthy, ...facts })).toEqual({ status, reason: expect.stringMatching(reason) });
  });

  it('puts what needs an operator before a lag', () => {
    expect(verdictOf({ ...healthy, mirrorItems: 1, queueDepth: 1 }).status).toBe('failing');
  });

  it('with several mirror indexes, does not count them against the table, and points at cdc verify', () => {
    const verdict = verdictOf({ ...healthy, mirrorItems: undefined, tableItems: 7, routed: true });
    expect(verdict).toEqual({ status: 'healthy', reason: expect.stringContaining('cdc verify checks that each mirror index') });
  });
});

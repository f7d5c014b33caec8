/**
 * The bookkeeping of one batch: per record, a retry beats a dead letter beats written; the first
 * reason to retry is kept; failures come sorted, with the sequence number Lambda expects.
 */
import type { ChangeRecord, DeadLetter, RawStreamRecord } from '../../../lambda/core';
import { BatchLedger } from '../../../lambda/pipeline/batch-ledger';

const raw = (sequenceNumber?: unknown): RawStreamRecord => ({ eventName: 'MODIFY', dynamodb: { SequenceNumber: sequenceNumber } });

function parsedRecord(sequenceNumber: string, origin: ChangeRecord['origin'] = 'stream'): ChangeRecord {
  return {
    eventId: `event-${sequenceNumber}`,
    eventName: 'MODIFY',
    sequenceNumber,
    approximateCreationTime: new Date('2024-01-01T00:00:00.000Z'),
    tableName: 'items',
    keys: { id: { S: sequenceNumber } },
    newImage: { id: { S: sequenceNumber } },
    origin,
  };
}

/** A ledger of `count` stream records, parsed, with sequence numbers 101, 102, ... */
function ledgerOf(count: number): { ledger: BatchLedger; raws: RawStreamRecord[]; records: ChangeRecord[] } {
  const raws = Array.from({ length: count }, (_, position) => raw(String(101 + position)));
  const records = raws.map((_, position) => parsedRecord(String(101 + position)));
  const ledger = new BatchLedger(raws);
  records.forEach((record, position) => ledger.parsed(position, record));
  return { ledger, raws, records };
}

const refusal = (reason: string): Omit<DeadLetter, 'raw' | 'record'> => ({
  target: 'mirror',
  errorType: 'mapper_parsing_exception',
  reason,
});

describe('the batch ledger', () => {
  it('starts every count at zero', () => {
    expect(Object.values(ledgerOf(1).ledger.counts)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('a record with anything to retry is retried whole: its dead letters wait, as the retry may succeed', () => {
    const { ledger } = ledgerOf(3);
    ledger.deadLetter(1, refusal('refused before the retry'));
    ledger.retry([1], 'busy');
    ledger.retry([2], 'busy');
    ledger.deadLetter(2, refusal('refused after the retry'));

    expect(ledger.isRetrying(1)).toBe(true);
    expect(ledger.isRetrying(2)).toBe(true);
    expect(ledger.pendingDeadLetters()).toEqual([]);
    expect(ledger.deadLettered()).toEqual([]);
    expect(ledger.failures().map(({ position }) => position)).toEqual([1, 2]);
  });

  it('a record with dead letters and nothing to retry records them all, one per refused write, each with its record', () => {
    const { ledger, raws, records } = ledgerOf(3);
    ledger.deadLetter(2, refusal('the mirror refused it'));
    ledger.deadLetter(2, { target: 'change-log', errorType: 'too_large', reason: 'the change log refused it', status: 413 });

    expect(ledger.isRetrying(2)).toBe(false);
    expect(ledger.failures()).toEqual([]);
    expect(ledger.pendingDeadLetters()).toEqual([
      { position: 2, letter: { ...refusal('the mirror refused it'), raw: raws[2], record: records[2] } },
      {
        position: 2,
        letter: {
          target: 'change-log',
          errorType: 'too_large',
          reason: 'the change log refused it',
          status: 413,
          raw: raws[2],
          record: records[2],
        },
      },
    ]);
    expect(ledger.deadLettered()).toEqual([
      { position: 2, target: 'mirror', reason: 'the mirror refused it' },
      { position: 2, target: 'change-log', reason: 'the change log refused it' },
    ]);
  });

  it('a record with neither is written: it is in no list', () => {
    const { ledger } = ledgerOf(3);
    ledger.retry([0], 'busy');
    ledger.deadLetter(2, refusal('refused'));
    expect(ledger.isRetrying(1)).toBe(false);
    expect([...ledger.failures(), ...ledger.deadLettered()].map(({ position }) => position)).not.toContain(1);
  });

  it('keeps the first reason to retry a record: the cause, not its consequences', () => {
    const { ledger } = ledgerOf(2);
    ledger.retry([0, 1], 'mirror: es_rejected_execution_exception');
    ledger.retry([1], 'dead-letter: not written');
    expect(ledger.failures().map(({ reason }) => reason)).toEqual([
      'mirror: es_rejected_execution_exception',
      'mirror: es_rejected_execution_exception',
    ]);
  });

  it('lists failures by position, each with the stream sequence number Lambda expects as item identifier', () => {
    const { ledger } = ledgerOf(5);
    ledger.retry([4], 'late');
    ledger.retry([0, 3], 'early');
    expect(ledger.failures()).toEqual([
      { position: 0, sequenceNumber: '101', reason: 'early' },
      { position: 3, sequenceNumber: '104', reason: 'early' },
      { position: 4, sequenceNumber: '105', reason: 'late' },
    ]);
  });

  it.each(['manual', 'snapshot', 'repair'] as const)('a %s record has no sequence number of the stream to report', (origin) => {
    const raws = [raw(undefined)];
    const ledger = new BatchLedger(raws);
    ledger.parsed(0, parsedRecord(origin === 'repair' ? '7' : '0', origin));
    ledger.retry([0], 'busy');
    expect(ledger.failures()).toEqual([{ position: 0, sequenceNumber: undefined, reason: 'busy' }]);
  });

  it.each([
    ['a string', raw('42'), '42'],
    ['a number', raw(42), undefined],
    ['missing', { eventName: 'MODIFY' }, undefined],
    ['in a record that is not an object', null as unknown as RawStreamRecord, undefined],
  ])('a record that could not be parsed reports the raw SequenceNumber when it is a string: %s', (_case, unparsed, sequenceNumber) => {
    const ledger = new BatchLedger([unparsed]);
    ledger.deadLetter(0, { target: 'record', errorType: 'malformed_record', reason: 'no dynamodb section' });
    ledger.retry([0], 'dead-letter: not written');
    expect(ledger.failures()).toEqual([{ position: 0, sequenceNumber, reason: 'dead-letter: not written' }]);
    expect(ledger.recordAt(0)).toBeUndefined();
    expect(ledger.rawAt(0)).toBe(unparsed);
  });
});

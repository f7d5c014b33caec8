/**
 * The versions mirror and tombstone writes carry: a stream change's creation time in
 * microseconds, just above what was read for the others, and what a conflict means.
 */
import type { ChangeOrigin, ChangeRecord } from '../../../lambda/core/change-record';
import { conflictVerdict, SKEW_WINDOW_MICROS, streamVersion, versionAbove } from '../../../lambda/core/external-version';

const at = new Date('2024-01-01T12:00:00.000Z');
const CREATED = at.getTime() * 1000;

function record(origin: ChangeOrigin): ChangeRecord {
  return {
    eventId: 'e',
    eventName: 'MODIFY',
    sequenceNumber: origin === 'stream' ? '000000000000000000005' : '0',
    approximateCreationTime: at,
    tableName: 't',
    keys: { id: { S: 'a' } },
    origin,
  };
}

describe('external versions', () => {
  it("a stream change's version is its creation time in microseconds (DynamoDB's clock); other origins have none", () => {
    expect(streamVersion(record('stream'))).toBe(1704110400000000);
    for (const origin of ['manual', 'snapshot', 'repair'] as const) expect(streamVersion(record(origin))).toBe(0);
  });

  it('a write planned from a read goes just above the version read, and a stream change never below its creation time', () => {
    expect(versionAbove(record('manual'), 7, undefined)).toBe(8);
    expect(versionAbove(record('manual'), undefined, undefined)).toBe(1);
    expect(versionAbove(record('manual'), undefined, 41)).toBe(42); // nothing stored, but a delete the engine remembers
    expect(versionAbove(record('stream'), CREATED, undefined)).toBe(CREATED + 1); // same second: just above
    expect(versionAbove(record('stream'), 7, undefined)).toBe(CREATED);
  });

  it('a conflict far above a stream change is a newer change (no read); within the window the sequence numbers decide', () => {
    expect(conflictVerdict(record('stream'), CREATED, CREATED + SKEW_WINDOW_MICROS + 1)).toBe('superseded');
    expect(conflictVerdict(record('stream'), CREATED, CREATED + SKEW_WINDOW_MICROS)).toBe('compare');
    expect(conflictVerdict(record('stream'), CREATED, CREATED)).toBe('compare');
    expect(conflictVerdict(record('stream'), CREATED, undefined)).toBe('compare');
  });

  it('a conflict of a write from outside the stream is always settled by a read: its small version says nothing of time', () => {
    // e.g. a repair meeting the remembered delete of a purged tombstone, whose version is a creation time
    for (const origin of ['manual', 'snapshot', 'repair'] as const) expect(conflictVerdict(record(origin), 1, CREATED)).toBe('compare');
  });
});

/**
 * Where `cdc backfill` starts: only an interrupted backfill of the same table incarnation and
 * mirror is resumed, in its own segment count; a finished one never is, so running the command
 * again copies the table again.
 */
import fc from 'fast-check';
import { type BackfillTarget, type Checkpoint, newCheckpoint } from '../../../../cli/backfill/checkpoint';
import { startPoint } from '../../../../cli/backfill/start-point';

const FILE = '.cdc/backfill-test-table.json';
const target: BackfillTarget = {
  table: 'test-table',
  incarnation: { arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/test-table', id: 'table-1', createdAt: '2026-12-01T10:00:00.000Z' },
  mirror: 'test-table',
  mirrorIndexes: ['test-table-v1/uuid-1'],
};
const STARTED = '2026-12-02T08:00:00.000Z';

/** A checkpoint of `target` in `segments` segments, the first `done` of them scanned to the end. */
function checkpointOf(segments: number, done: number, read = 1200, of: BackfillTarget = target): Checkpoint {
  const fresh = newCheckpoint(of, segments, new Date(STARTED));
  return {
    ...fresh,
    segments: fresh.segments.map((_, i) => (i < done ? { done: true } : { lastKey: { id: { S: `k${i}` } }, done: false })),
    counts: { ...fresh.counts, read, written: read },
  };
}

const interrupted = checkpointOf(4, 1);

describe('where a backfill starts', () => {
  it('starts from the beginning when there is no checkpoint, in the segments for the table size or those of --segments', () => {
    expect(startPoint(FILE, undefined, target, { defaultSegments: 4 })).toMatchObject({ resumed: false, note: undefined });
    expect(startPoint(FILE, undefined, target, { defaultSegments: 4 }).checkpoint.segments).toHaveLength(4);
    expect(startPoint(FILE, undefined, target, { defaultSegments: 4, segments: 7 }).checkpoint.segments).toHaveLength(7);
  });

  it('never resumes a finished backfill: a new one starts from the beginning, with zero counts, and says why', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.nat(100_000), fc.boolean(), (segments, read, recordedFinish) => {
        const scanned = checkpointOf(segments, segments, read);
        const finished = recordedFinish ? { ...scanned, finishedAt: '2026-12-02T08:05:00.000Z' } : scanned;
        const start = startPoint(FILE, finished, target, { defaultSegments: 4 });
        expect(start.resumed).toBe(false);
        expect(start.checkpoint.counts).toEqual({ read: 0, written: 0, skipped: 0, failed: 0, unreadable: 0 });
        expect(start.checkpoint.segments).toEqual(Array.from({ length: 4 }, () => ({ done: false })));
        expect(start.note).toMatch(new RegExp(`${FILE}.*started ${STARTED}.*finished.*starts from the beginning`));
      }),
    );
  });

  it('resumes an interrupted backfill and says so: the file, when it started, how far it got, and --restart', () => {
    const start = startPoint(FILE, interrupted, target, { defaultSegments: 4 });
    expect(start).toMatchObject({ resumed: true, checkpoint: interrupted });
    expect(start.note).toBe(
      `resuming the interrupted backfill in ${FILE}, started ${STARTED}: 1200 item(s) read, 1 of 4 segment(s) done (--restart starts over)`,
    );
  });

  it('resumes in the checkpoint segment count when the table has since grown across a size boundary', () => {
    for (const defaultSegments of [5, 12, 32]) {
      const start = startPoint(FILE, interrupted, target, { defaultSegments });
      expect(start).toMatchObject({ resumed: true });
      expect(start.checkpoint.segments).toHaveLength(4);
    }
  });

  it('resumes with --segments of the same count, and refuses another count, saying it means starting over with --restart', () => {
    expect(startPoint(FILE, interrupted, target, { defaultSegments: 8, segments: 4 }).resumed).toBe(true);
    expect(() => startPoint(FILE, interrupted, target, { defaultSegments: 4, segments: 6 })).toThrow(
      `the interrupted backfill in ${FILE} scans in 4 segment(s), and a Scan cannot go on in another count: ` +
        'leave out --segments to resume it, or add --restart to start over in 6 segment(s)',
    );
  });

  it('starts over with --restart whatever the checkpoint holds', () => {
    for (const found of [interrupted, checkpointOf(4, 4), checkpointOf(2, 0, 5, { ...target, table: 'other' })]) {
      const start = startPoint(FILE, found, target, { defaultSegments: 4, segments: 6, restart: true });
      expect(start.resumed).toBe(false);
      expect(start.checkpoint.segments).toHaveLength(6);
    }
  });

  it.each([
    [
      'the table was deleted and created again',
      { ...target, incarnation: { ...target.incarnation, id: 'table-2' } },
      /table test-table was deleted and created again/,
    ],
    [
      'the table was created again, on an emulator without table ids (another creation time)',
      { ...target, incarnation: { arn: target.incarnation.arn, createdAt: '2026-12-03T00:00:00.000Z' } },
      /table test-table was deleted and created again/,
    ],
    [
      'the mirror was deleted and created again',
      { ...target, mirrorIndexes: ['test-table-v1/uuid-2'] },
      /mirror test-table is not the one it wrote to/,
    ],
  ])('does not resume an interrupted backfill when %s: a new one starts and says why', (_case, now, reason) => {
    const start = startPoint(FILE, interrupted, now, { defaultSegments: 4 });
    expect(start.resumed).toBe(false);
    expect(start.checkpoint).toMatchObject({ tableIncarnation: now.incarnation, mirrorIndexes: now.mirrorIndexes, counts: { read: 0 } });
    expect(start.note).toMatch(new RegExp(`interrupted backfill in ${FILE} \\(started ${STARTED}\\) is not resumed: `));
    expect(start.note).toMatch(reason);
  });

  it('does not resume a checkpoint that does not record its table and mirror indexes (an earlier version wrote it)', () => {
    const { tableIncarnation: _table, mirrorIndexes: _mirror, ...unrecorded } = interrupted;
    const start = startPoint(FILE, unrecorded, target, { defaultSegments: 4 });
    expect(start).toMatchObject({ resumed: false, note: expect.stringContaining('does not record which table and mirror indexes') });
  });

  it('refuses to drop an interrupted backfill of another table or mirror, naming both and the ways out', () => {
    for (const other of [
      { ...target, table: 'orders' },
      { ...target, mirror: 'orders-mirror' },
    ]) {
      expect(() => startPoint(FILE, checkpointOf(4, 1, 10, other), target, { defaultSegments: 4 })).toThrow(
        new RegExp(
          `holds an interrupted backfill of table ${other.table} into mirror ${other.mirror}, not test-table into test-table: .*--checkpoint .*--restart`,
        ),
      );
    }
  });
});

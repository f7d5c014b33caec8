/** The checkpoint file: read back as written, finished once every segment is scanned, and a file that is not one said so. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isFinished, newCheckpoint, readCheckpoint, saveCheckpoint } from '../../../../cli/backfill/checkpoint';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-checkpoint-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const target = { table: 'test-table', incarnation: { id: 'table-1' }, mirror: 'test-table', mirrorIndexes: ['test-table-v1/uuid-1'] };

describe('the backfill checkpoint', () => {
  it('reads back what was saved, and nothing where no file is', () => {
    const file = path.join(work, 'nested', 'backfill.json');
    expect(readCheckpoint(file)).toBeUndefined();
    const checkpoint = newCheckpoint(target, 3, new Date('2026-12-02T08:00:00.000Z'));
    saveCheckpoint(file, checkpoint);
    expect(readCheckpoint(file)).toEqual(checkpoint);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['backfill.json']);
  });

  it('is finished once every segment is scanned to its end, or when it records so', () => {
    const started = newCheckpoint(target, 2);
    expect(isFinished(started)).toBe(false);
    expect(isFinished({ ...started, segments: [{ done: true }, { done: false }] })).toBe(false);
    expect(isFinished({ ...started, segments: [{ done: true }, { done: true }] })).toBe(true);
    expect(isFinished({ ...started, finishedAt: '2026-12-02T08:05:00.000Z' })).toBe(true);
  });

  it.each([
    ['not JSON', '{"table": "test-table", '],
    ['JSON of something else', '{"name": "test-table"}'],
    ['null', 'null'],
  ])('says a file that is %s is not a checkpoint, and how to go on', (_case, text) => {
    const file = path.join(work, 'other.json');
    fs.writeFileSync(file, text);
    expect(() => readCheckpoint(file)).toThrow(
      new RegExp(
        `${file} is not a backfill checkpoint .*: start over with --restart \\(it is replaced\\), or name another file with --checkpoint`,
      ),
    );
  });
});

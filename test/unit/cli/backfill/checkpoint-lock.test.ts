import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointLockedError, lockCheckpoint } from '../../../../cli/backfill';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-lock-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('lockCheckpoint', () => {
  it('refuses a second backfill on a checkpoint while the first one runs, naming its process', () => {
    const file = path.join(work, 'running.json');
    fs.writeFileSync(`${file}.lock`, '4242');
    expect(() => lockCheckpoint(file, (pid) => pid === 4242)).toThrow(CheckpointLockedError);
    expect(() => lockCheckpoint(file, (pid) => pid === 4242)).toThrow('another backfill (pid 4242) is running on the checkpoint');
  });

  it('takes over the lock of a process that is gone (killed, crashed), and releases it when done', () => {
    const file = path.join(work, 'stale.json');
    fs.writeFileSync(`${file}.lock`, '4242');
    const release = lockCheckpoint(file, () => false);
    expect(fs.readFileSync(`${file}.lock`, 'utf8')).toBe(String(process.pid));
    release();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
    lockCheckpoint(file)();
  });
});

/**
 * One backfill per checkpoint at a time: two runs on one file would each write their own counts
 * over the other's. A lock file beside the checkpoint holds the running process's id; a lock whose
 * process is gone (a kill -9, a crash) is taken over.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class CheckpointLockedError extends Error {
  constructor(file: string, pid: number) {
    super(
      `another backfill (pid ${pid}) is running on the checkpoint ${file}: wait for it, or stop it (a stopped run is resumed by the next)`,
    );
    this.name = 'CheckpointLockedError';
  }
}

/** Takes the checkpoint's lock; returns its release. Throws CheckpointLockedError while a live process holds it. */
export function lockCheckpoint(file: string, isAlive: (pid: number) => boolean = processIsAlive): () => void {
  const lock = `${file}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(lock, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder))
        throw new CheckpointLockedError(file, holder);
      fs.rmSync(lock, { force: true });
    }
  }
  throw new Error(`could not take the lock ${lock}: remove it if no backfill is running`);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A startup failure that says which step failed, what the engine logged last, and what to try.
 */
import * as fs from 'node:fs';

export class StepError extends Error {
  constructor(
    readonly step: string,
    readonly problem: string,
    readonly hint: string,
    readonly logFile?: string,
  ) {
    super(`${step} failed: ${problem}`);
    this.name = 'StepError';
  }

  describe(): string {
    const lines = [`✖ ${this.step} failed: ${this.problem}`];
    if (this.logFile) {
      const tail = tailOf(this.logFile, 25);
      if (tail) lines.push(`--- last lines of ${this.logFile} ---`, tail, '---');
    }
    lines.push(`→ ${this.hint}`);
    return lines.join('\n');
  }
}

export function tailOf(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

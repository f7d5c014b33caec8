/**
 * The deployed function's own account of its batches: its 'batch applied' log lines (records,
 * durationMs). MiniStack runs the function as its child and writes what it prints into the
 * emulator's log; LocalStack keeps it in CloudWatch Logs, read with FilterLogEvents.
 */
import * as fs from 'node:fs';
import { DEFAULT_NAMES } from '../../lambda/settings';
import type { EngineSet } from './engines';

export interface FunctionBatch {
  readonly at: string;
  readonly records: number;
  readonly durationMs: number;
}

/** Where the log ends now: the lines of a run are those written after it. */
export function logPosition(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

/** The batches the function logged since `from` (its log file) or `since` (CloudWatch Logs). */
export async function functionBatchesSince(engines: EngineSet, from: number, since: Date): Promise<FunctionBatch[]> {
  const fromFile = batchesIn(readFrom(engines.emulatorLog, from));
  if (fromFile.length > 0 || engines.emulator.name === 'ministack') return fromFile;
  return batchesIn(await cloudWatchLines(engines.endpoints.aws, engines.endpoints.region, since));
}

function readFrom(file: string, from: number): string[] {
  if (!fs.existsSync(file)) return [];
  const size = fs.statSync(file).size;
  if (size <= from) return [];
  const descriptor = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - from);
    fs.readSync(descriptor, buffer, 0, buffer.length, from);
    return buffer.toString('utf8').split('\n');
  } finally {
    fs.closeSync(descriptor);
  }
}

/** The 'batch applied' lines among log lines (a line may carry a prefix before its JSON). */
export function batchesIn(lines: readonly string[]): FunctionBatch[] {
  const batches: FunctionBatch[] = [];
  for (const line of lines) {
    if (!line.includes('"batch applied"')) continue;
    try {
      const entry = JSON.parse(line.slice(line.indexOf('{'))) as { timestamp?: string; records?: number; durationMs?: number };
      if (typeof entry.durationMs === 'number' && typeof entry.records === 'number') {
        batches.push({ at: entry.timestamp ?? '', records: entry.records, durationMs: entry.durationMs });
      }
    } catch {
      // Not one JSON line (a line cut by another process's output): not counted.
    }
  }
  return batches;
}

/** FilterLogEvents on the function's log group, every page (the emulator does not check signatures). */
async function cloudWatchLines(awsUrl: string, region: string, since: Date): Promise<string[]> {
  const lines: string[] = [];
  let nextToken: string | undefined;
  do {
    const response = await fetch(awsUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.FilterLogEvents',
        authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/logs/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({ logGroupName: `/aws/lambda/${DEFAULT_NAMES.functionName}`, startTime: since.getTime(), nextToken }),
    }).catch(() => undefined);
    if (!response?.ok) return lines;
    const page = (await response.json()) as { events?: { message: string }[]; nextToken?: string };
    for (const event of page.events ?? []) lines.push(...event.message.split('\n'));
    nextToken = page.events?.length ? page.nextToken : undefined;
  } while (nextToken);
  return lines;
}

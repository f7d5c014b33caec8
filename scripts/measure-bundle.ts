/**
 * What the function's bundle costs: its size (and what is in it, by package), how long a fresh
 * Node process takes to load it (`require`, timed with process.hrtime inside the process: the
 * median and p95 of 20 processes), and the peak memory of one container applying a batch of 1,000
 * records of ~4 KB. The bundle is built from source with the construct's own options
 * (HANDLER_BUNDLING), or given. The batch goes to a small stand-in for OpenSearch that answers as
 * OpenSearch does (every write accepted), or to a real engine when OPENSEARCH_URL is set (on
 * indexes of its own, deleted after). Prints figures; asserts nothing.
 *
 *   npx ts-node --transpile-only scripts/measure-bundle.ts [bundle.js] [--processes 20] [--records 1000]
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSync } from 'esbuild';
import * as os from 'node:os';
import * as path from 'node:path';
import { handlerBuildOptions } from '../lib';

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const PROCESSES = option('--processes', 20);
const RECORDS = option('--records', 1000);
const RECORD_BYTES = 4096;

/** The bundle built as the construct builds it, with esbuild's account of its inputs. */
function buildBundle(): { file: string; inputs: Record<string, number> } {
  const outfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'handler-bundle-')), 'index.js');
  const result = buildSync({ ...handlerBuildOptions(ROOT, outfile), metafile: true, logLevel: 'warning' });
  const output = Object.values(result.metafile.outputs as Record<string, { entryPoint?: string; inputs: Record<string, any> }>).find(
    (out) => out.entryPoint !== undefined,
  )!;
  return { file: outfile, inputs: Object.fromEntries(Object.entries(output.inputs).map(([input, info]) => [input, info.bytesInOutput])) };
}

/** Bytes in the bundle by npm package (or by the project's folder). */
function byPackage(inputs: Record<string, number>): [string, number][] {
  const sums = new Map<string, number>();
  for (const [input, bytes] of Object.entries(inputs)) {
    const name = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
    sums.set(name, (sums.get(name) ?? 0) + bytes);
  }
  return [...sums].sort((a, b) => b[1] - a[1]);
}

const LOAD = 'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';

/** Milliseconds `require(bundle)` takes in each of `count` fresh processes. */
function loadTimes(file: string, count: number): number[] {
  return Array.from({ length: count }, () => Number(execFileSync(process.execPath, ['-e', LOAD, file], { encoding: 'utf8' })));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * A stand-in for OpenSearch answering the function's requests as OpenSearch does: templates and
 * indexes created, nothing stored (`_mget`: not found), every `_bulk` item accepted.
 */
function startStandIn(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url!, 'http://stand-in');
      const answer = (status: number, body?: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (request.method === 'HEAD') return answer(404);
      if (url.pathname.endsWith('/_mget')) {
        const { docs } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { docs: { _index: string; _id: string }[] };
        return answer(200, { docs: docs.map((doc) => ({ ...doc, found: false })) });
      }
      if (url.pathname === '/_bulk') return answer(200, bulkAnswer(Buffer.concat(chunks).toString('utf8')));
      if (request.method === 'GET') return answer(404, { error: { type: 'index_not_found_exception' }, status: 404 });
      return answer(200, { acknowledged: true });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() }),
    ),
  );
}

function bulkAnswer(body: string) {
  const lines = body.split('\n').filter((line) => line !== '');
  const items: object[] = [];
  for (let i = 0; i < lines.length; i++) {
    const [operation, meta] = Object.entries(JSON.parse(lines[i]) as Record<string, { _index: string; _id: string }>)[0];
    if (operation !== 'delete') i++;
    items.push({
      [operation]: { _index: meta._index, _id: meta._id, status: 201, result: 'created', _seq_no: items.length, _primary_term: 1 },
    });
  }
  return { took: 1, errors: false, items };
}

/** Runs in a fresh process: loads the bundle, applies one batch, prints its peak memory. */
const BATCH = `
const [bundle, records, bytes] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const { handler } = require(bundle);
const filler = 'x'.repeat(bytes - 200);
const Records = Array.from({ length: records }, (_, i) => {
  const image = { id: { S: 'item-' + i }, name: { S: 'user ' + i }, n: { N: String(i) }, text: { S: filler + i } };
  return { eventID: 'event-' + i, eventName: 'INSERT', eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/1',
    dynamodb: { ApproximateCreationDateTime: Math.floor(Date.now() / 1000), Keys: { id: image.id }, NewImage: image,
      SequenceNumber: String(1e6 + i).padStart(21, '0'), SizeBytes: bytes } };
});
const event = JSON.parse(JSON.stringify({ Records }));
handler(event).then((response) => {
  if (response.batchItemFailures.length > 0) throw new Error(JSON.stringify(response));
  process.stdout.write(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 }));
});`;

async function peakMemoryMb(file: string): Promise<number> {
  const real = process.env.OPENSEARCH_URL;
  const standIn = real ? undefined : await startStandIn();
  const prefix = `measure-bundle-${Date.now()}`;
  const env = {
    ...process.env,
    OPENSEARCH_ENDPOINT: real ?? standIn!.url,
    CHANGE_LOG_INDEX: `${prefix}-cdc`,
    MIRROR_INDEX: `${prefix}-table`,
    DEAD_LETTER_INDEX: `${prefix}-deadletter`,
    KEY_SCHEMA: 'id',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  try {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['-e', BATCH, file, String(RECORDS), String(RECORD_BYTES)],
        { env, encoding: 'utf8', maxBuffer: 1 << 26 },
        (error: Error | null, stdout: string) => (error ? reject(error) : resolve(stdout.slice(stdout.lastIndexOf('{')))),
      ),
    );
    return (JSON.parse(output) as { maxRssMb: number }).maxRssMb;
  } finally {
    standIn?.close();
    if (real) await fetch(`${real}/${prefix}-*?expand_wildcards=all`, { method: 'DELETE' }).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const given = args.find((arg) => arg.endsWith('.js'));
  const built = given ? undefined : buildBundle();
  const file = path.resolve(given ?? built!.file);
  const bytes = fs.statSync(file).size;
  console.log(`bundle ${file}: ${bytes} bytes (${(bytes / 1024).toFixed(0)} KB)`);
  if (built) for (const [name, size] of byPackage(built.inputs).slice(0, 15)) console.log(`  ${String(size).padStart(8)}  ${name}`);
  const times = loadTimes(file, PROCESSES);
  const memory = await peakMemoryMb(file);
  console.log(
    `[figures] bundle ${bytes} bytes; cold load (require, ${PROCESSES} fresh processes) median ${percentile(times, 50).toFixed(1)} ms, ` +
      `p95 ${percentile(times, 95).toFixed(1)} ms; peak memory (max RSS) applying ${RECORDS} records of ~${RECORD_BYTES / 1024} KB: ${memory.toFixed(0)} MB`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

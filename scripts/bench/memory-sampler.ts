/** This process's memory, sampled on a timer while something runs: its peak, and whether it stays flat or grows. */
import { mean } from './stats';

export interface MemorySample {
  readonly at: number;
  readonly rss: number;
  readonly heapUsed: number;
}

export interface MemoryProfile {
  /** RSS just before the run, after a garbage collection when the process allows it (node --expose-gc). */
  readonly baselineRss: number;
  readonly peakRss: number;
  /** Mean heap used over the first and the last quarter of the run's time. */
  readonly firstQuarterHeap: number;
  readonly lastQuarterHeap: number;
  readonly firstQuarterRss: number;
  readonly lastQuarterRss: number;
  readonly samples: number;
}

export async function profileMemory<T>(action: () => Promise<T>, intervalMs = 100): Promise<{ result: T; memory: MemoryProfile }> {
  (globalThis as { gc?: () => void }).gc?.();
  const baselineRss = process.memoryUsage().rss;
  const samples: MemorySample[] = [];
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    samples.push({ at: performance.now(), rss, heapUsed });
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  try {
    const result = await action();
    sample();
    return { result, memory: { baselineRss, ...summarizeSamples(samples) } };
  } finally {
    clearInterval(timer);
  }
}

export function summarizeSamples(samples: readonly MemorySample[]): Omit<MemoryProfile, 'baselineRss'> {
  const start = samples[0].at;
  const span = samples[samples.length - 1].at - start;
  const within = (from: number, to: number) => samples.filter((s) => s.at - start >= from * span && s.at - start <= to * span);
  const first = within(0, 0.25);
  const last = within(0.75, 1);
  return {
    peakRss: Math.max(...samples.map((s) => s.rss)),
    firstQuarterHeap: mean(first.map((s) => s.heapUsed)),
    lastQuarterHeap: mean(last.map((s) => s.heapUsed)),
    firstQuarterRss: mean(first.map((s) => s.rss)),
    lastQuarterRss: mean(last.map((s) => s.rss)),
    samples: samples.length,
  };
}

/** What the function costs on AWS, at list prices (us-east-1, x86, as of the bench's writing), and what OpenSearch keeps. */

/** The memory the construct gives the function (`memorySize` default in lib/dynamodb-opensearch-cdc.ts). */
export const FUNCTION_MEMORY_MB = 512;

export const LAMBDA_PRICES = {
  /** US$ per GB-second of x86 duration. */
  perGbSecond: 0.0000166667,
  /** US$ per million requests. */
  perMillionRequests: 0.2,
} as const;

export interface LambdaCost {
  readonly invocations: number;
  readonly gbSeconds: number;
  /** US$ of duration. */
  readonly compute: number;
  /** US$ of requests. */
  readonly requests: number;
}

/** Lambda for a million changes in batches of `batchSize` that take `batchMs` each, at `memoryMb`. */
export function lambdaCostPerMillion(batchSize: number, batchMs: number, memoryMb = FUNCTION_MEMORY_MB): LambdaCost {
  if (!(batchSize > 0) || !(batchMs >= 0)) throw new Error(`a batch needs records and a duration (size ${batchSize}, ${batchMs} ms)`);
  const invocations = Math.ceil(1_000_000 / batchSize);
  // Lambda bills each invocation's duration rounded up to the millisecond.
  const gbSeconds = invocations * (Math.ceil(batchMs) / 1000) * (memoryMb / 1024);
  return {
    invocations,
    gbSeconds,
    compute: gbSeconds * LAMBDA_PRICES.perGbSecond,
    requests: (invocations / 1_000_000) * LAMBDA_PRICES.perMillionRequests,
  };
}

/** GB (10^9 bytes) that a million changes of `bytesPerChange` each take. */
export function storagePerMillion(bytesPerChange: number): number {
  return (bytesPerChange * 1_000_000) / 1e9;
}

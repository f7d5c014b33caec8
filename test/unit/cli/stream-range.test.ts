import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { parseFailurePointer, readStreamRange } from '../../../cli/redrive/stream-range';

const range = { streamArn: 'arn', shardId: 'shard-1', startSequenceNumber: '100', endSequenceNumber: '300' };
const record = (sequence: string) => ({ dynamodb: { SequenceNumber: sequence } });

/** A Streams client that serves the given pages in order (then empty pages forever, unless closed). */
function streams(pages: { records: string[]; last?: boolean }[]): DynamoDBStreamsClient {
  let page = 0;
  return {
    send: async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'GetShardIteratorCommand') return { ShardIterator: 'it-0' };
      const current = pages[page] ?? { records: [] };
      page++;
      return { Records: current.records.map(record), NextShardIterator: current.last ? undefined : `it-${page}` };
    },
  } as unknown as DynamoDBStreamsClient;
}

const fast = { minBackoffMs: 1, maxBackoffMs: 2, sleep: async () => undefined };

describe('reading a stream range back', () => {
  it('goes on past empty pages until the range end is seen', async () => {
    const pages = [
      ...Array.from({ length: 12 }, () => ({ records: [] })),
      { records: ['100', '200'] },
      { records: [] },
      { records: ['300', '400'] },
    ];
    const read = await readStreamRange(streams(pages), range, { ...fast, timeLimitMs: 60_000 });
    expect(read).toEqual({ records: ['100', '200', '300'].map(record), complete: true });
  });

  it('is complete at the end of a closed shard', async () => {
    const read = await readStreamRange(streams([{ records: ['100', '150'], last: true }]), range, { ...fast, timeLimitMs: 60_000 });
    expect(read.complete).toBe(true);
    expect(read.records).toHaveLength(2);
  });

  it('reports an incomplete read, with why, when the time limit passes before the end', async () => {
    let now = 0;
    jest.spyOn(Date, 'now').mockImplementation(() => (now += 1000));
    try {
      const read = await readStreamRange(streams([{ records: ['100'] }]), range, { ...fast, timeLimitMs: 5_000 });
      expect(read.complete).toBe(false);
      expect(read.records).toEqual([record('100')]);
      expect(read.reason).toMatch(/read 1 record\(s\) up to 100 .* without reaching the range's end 300/);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('stops at the first record past the range', async () => {
    const read = await readStreamRange(
      streams([{ records: ['100', '250', '301'] }]),
      { ...range, endSequenceNumber: '299' },
      { ...fast, timeLimitMs: 1000 },
    );
    expect(read).toEqual({ records: [record('100'), record('250')], complete: true });
  });
});

describe('a dead-letter queue message', () => {
  it('is read as the stream range it points to', () => {
    const body = JSON.stringify({ DDBStreamBatchInfo: { ...range, batchSize: 3 } });
    expect(parseFailurePointer(body)).toMatchObject(range);
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['not a stream pointer', JSON.stringify({ hello: 1 }), /no DDBStreamBatchInfo.streamArn/],
  ])('is refused when it is %s', (_case, body, message) => {
    expect(() => parseFailurePointer(body)).toThrow(message);
  });
});

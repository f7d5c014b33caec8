/**
 * Following the change log (`cdc tail`) goes on past a processing time shared by more changes
 * than one read returns: a backfill page or a large batch writes them all at one `processed_at`.
 */
import { ChangeLogReader, overTransport, type ChangeLogPosition } from '../../lambda/adapters/opensearch';
import { runPrefix, search } from '../support/live-system';

const client = search();
const index = runPrefix('follow');
const SHARED_TIME = '2026-12-03T10:00:00.000Z';

function change(eventId: string, processedAt: string) {
  return { event_id: eventId, processed_at: processedAt, timestamp: processedAt, event_type: 'SNAPSHOT', keys: { id: { S: eventId } } };
}

async function write(changes: ReturnType<typeof change>[]): Promise<void> {
  const body = changes.flatMap((doc) => [{ create: { _index: index, _id: doc.event_id } }, doc]);
  const response = await client.bulk({ body, refresh: true });
  expect(response.body.errors).toBe(false);
}

beforeAll(async () => {
  await client.indices.create({
    index,
    body: { mappings: { properties: { event_id: { type: 'keyword' }, processed_at: { type: 'date' }, timestamp: { type: 'date' } } } },
  });
});

afterAll(async () => {
  await client.indices.delete({ index }).catch(() => undefined);
  await client.close();
});

it('reads every change once, page after page, when 2,500 share one processing time, then the changes written after them', async () => {
  await write(Array.from({ length: 2500 }, (_, i) => change(`e-${String(i).padStart(5, '0')}`, SHARED_TIME)));
  const reader = new ChangeLogReader(overTransport(client.transport), index);
  const seen: string[] = [];
  let position: ChangeLogPosition = { since: '2026-12-03T09:00:00.000Z' };
  for (let read = 0; read < 4; read++) {
    const { changes, next } = await reader.writtenSince(position, { limit: 1000 });
    seen.push(...changes.map((one) => one.event_id));
    position = next;
  }
  expect(seen).toHaveLength(2500);
  expect(new Set(seen).size).toBe(2500);

  await write([change('later', '2026-12-03T10:00:01.000Z')]);
  const { changes } = await reader.writtenSince(position, { limit: 1000 });
  expect(changes.map((one) => one.event_id)).toEqual(['later']);
});

import { toChangeRecord as parse, type RawStreamRecord } from '../../../lambda/core/change-record';
import { toChangeLogDocument } from '../../../lambda/core/change-log-document';
import { insertRecord, modifyRecord, removeRecord } from '../../support/stream-records';

const created = { id: { S: 'user-001' }, name: { S: 'テストユーザー' } };
const updated = { id: { S: 'user-001' }, name: { S: '更新済みユーザー' } };
const processedAt = new Date('2024-01-01T12:00:01.000Z');
const toChangeRecord = (raw: RawStreamRecord) => parse(raw, { receivedAt: processedAt });

/** The change-log document format's fields only: what the original specification shows, nothing renamed. */
function formatFields(document: object): Record<string, unknown> {
  const { event_id, sequence_number, table_name, processed_at, ...format } = document as Record<string, unknown>;
  expect([event_id, sequence_number, table_name, processed_at].every((value) => typeof value === 'string')).toBe(true);
  return format;
}

describe('change-log document', () => {
  it("turns the demo INSERT into the format's document", () => {
    const record = toChangeRecord(insertRecord(created, { at: Date.parse('2024-01-01T12:00:00Z') / 1000 }));
    expect(formatFields(toChangeLogDocument(record, processedAt))).toEqual({
      event_name: 'INSERT',
      timestamp: '2024-01-01T12:00:00.000Z',
      keys: { id: { S: 'user-001' } },
      data: { id: { S: 'user-001' }, name: { S: 'テストユーザー' } },
    });
  });

  it("turns the demo MODIFY into the format's document with old and new data", () => {
    const record = toChangeRecord(modifyRecord(created, updated, { at: Date.parse('2024-01-01T12:05:00Z') / 1000 }));
    expect(formatFields(toChangeLogDocument(record, processedAt))).toEqual({
      event_name: 'MODIFY',
      timestamp: '2024-01-01T12:05:00.000Z',
      keys: { id: { S: 'user-001' } },
      new_data: { id: { S: 'user-001' }, name: { S: '更新済みユーザー' } },
      old_data: { id: { S: 'user-001' }, name: { S: 'テストユーザー' } },
    });
  });

  it("turns the demo REMOVE into the format's document with the deleted data", () => {
    const record = toChangeRecord(removeRecord(updated, { at: Date.parse('2024-01-01T12:10:00Z') / 1000 }));
    expect(formatFields(toChangeLogDocument(record, processedAt))).toEqual({
      event_name: 'REMOVE',
      timestamp: '2024-01-01T12:10:00.000Z',
      keys: { id: { S: 'user-001' } },
      deleted_data: { id: { S: 'user-001' }, name: { S: '更新済みユーザー' } },
    });
  });

  it("adds the metadata beside the format's fields", () => {
    const raw = insertRecord(created, { sequenceNumber: '123456789012345678901234567890', eventId: 'abc' });
    const document = toChangeLogDocument(toChangeRecord(raw), processedAt);
    expect(document).toMatchObject({
      event_id: 'abc',
      sequence_number: '123456789012345678901234567890',
      table_name: 'test-table',
      processed_at: '2024-01-01T12:00:01.000Z',
    });
    expect(document).not.toHaveProperty('user_identity');
  });

  it('writes a MODIFY without an old image (stream view NEW_IMAGE) with new data only', () => {
    const document = toChangeLogDocument(toChangeRecord(modifyRecord(undefined, updated)), processedAt);
    expect(document.new_data).toEqual(updated);
    expect(document).not.toHaveProperty('old_data');
  });

  it('marks a REMOVE made by TTL expiry', () => {
    const raw = removeRecord(updated, { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } });
    const document = toChangeLogDocument(toChangeRecord(raw), processedAt);
    expect(document).toMatchObject({
      event_name: 'REMOVE',
      deleted_data: updated,
      ttl_expired: true,
      user_identity: { type: 'Service', principal_id: 'dynamodb.amazonaws.com' },
    });
  });

  it('keeps every type as DynamoDB JSON text, numbers exact', () => {
    const item = { id: { S: 'n' }, big: { N: '12345678901234567890123456789012345678' }, b: { B: 'AAE=' }, ns: { NS: ['1', '2'] } };
    const json = JSON.stringify(toChangeLogDocument(toChangeRecord(insertRecord(item)), processedAt));
    expect(JSON.parse(json).data).toEqual(item);
  });

  it('keeps an image holding a value too long for an index term exactly, unindexed, with the reason', () => {
    const long = 'x'.repeat(40_000);
    const record = toChangeRecord(modifyRecord(created, { id: { S: 'user-001' }, essay: { S: long } }));
    const document = toChangeLogDocument(record, processedAt);
    expect(document.new_data).toBeUndefined();
    expect(document.unindexed?.new_data?.essay).toEqual({ S: long });
    expect(document.old_data).toEqual(created);
    expect(document.unindexed_reason).toMatch(/new_data\.essay\.S: value longer than an index term/);
  });

  it('counts a term in UTF-8 bytes, deep in maps, lists and sets: 11,000 three-byte characters are too long', () => {
    const wide = '語'.repeat(11_000); // 33,000 bytes in 11,000 characters
    const image = { id: { S: 'user-001' }, profile: { M: { notes: { L: [{ S: 'short' }, { SS: ['a', wide] }] } } } };
    const document = toChangeLogDocument(toChangeRecord(insertRecord(image)), processedAt);
    expect(document.data).toBeUndefined();
    expect(document.unindexed?.data).toEqual(image);
    expect(document.unindexed_reason).toMatch(/data\.profile\.M\.notes\.L\.SS: value longer than an index term/);
    const fits = { id: { S: 'user-001' }, profile: { M: { notes: { S: '語'.repeat(10_000) } } } };
    expect(toChangeLogDocument(toChangeRecord(insertRecord(fits)), processedAt).data).toEqual(fits);
  });

  it('keeps every image unindexed in the stored form', () => {
    const record = toChangeRecord(modifyRecord(created, updated));
    const document = toChangeLogDocument(record, processedAt, 'stored', 'refused');
    expect(document).toMatchObject({
      keys: { id: { S: 'user-001' } },
      unindexed: { new_data: updated, old_data: created },
      unindexed_reason: 'refused',
    });
    expect(document.new_data).toBeUndefined();
  });

  it('marks a manual record as such, with no sequence number', () => {
    const record = toChangeRecord({ eventName: 'INSERT', dynamodb: { Keys: { id: { S: 'test' } }, NewImage: { id: { S: 'test' } } } });
    const document = toChangeLogDocument(record, processedAt);
    expect(document).toMatchObject({ manual: true, timestamp: processedAt.toISOString(), table_name: 'unknown' });
    expect(document.sequence_number).toBeUndefined();
  });
});

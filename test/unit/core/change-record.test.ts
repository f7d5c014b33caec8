import { MalformedRecordError, toChangeRecord as parse, type RawStreamRecord } from '../../../lambda/core/change-record';
import { insertRecord, removeRecord } from '../../support/stream-records';

const receivedAt = new Date('2026-01-02T03:04:05.000Z');
const toChangeRecord = (raw: RawStreamRecord) => parse(raw, { receivedAt, tableName: 'configured-table' });

describe('stream record normalisation', () => {
  it('reads epoch seconds, ISO text and Date as the creation time', () => {
    const raw = insertRecord({ id: { S: 'a' } }, { at: 1704110400 });
    expect(toChangeRecord(raw).approximateCreationTime.toISOString()).toBe('2024-01-01T12:00:00.000Z');
    const fromApi = { ...raw, dynamodb: { ...raw.dynamodb, ApproximateCreationDateTime: new Date('2024-01-01T12:00:00Z') } };
    expect(toChangeRecord(fromApi).approximateCreationTime.toISOString()).toBe('2024-01-01T12:00:00.000Z');
    const fromJson = JSON.parse(JSON.stringify(fromApi));
    expect(toChangeRecord(fromJson).approximateCreationTime.toISOString()).toBe('2024-01-01T12:00:00.000Z');
  });

  it('turns bytes from the Streams API into the base64 text Lambda events carry', () => {
    const raw = insertRecord({ id: { S: 'a' } });
    const fromApi = {
      ...raw,
      dynamodb: { ...raw.dynamodb, NewImage: { id: { S: 'a' }, b: { B: new Uint8Array([0, 1, 255]) }, bs: { BS: [new Uint8Array([2])] } } },
    };
    expect(toChangeRecord(fromApi).newImage).toEqual({ id: { S: 'a' }, b: { B: 'AAH/' }, bs: { BS: ['Ag=='] } });
  });

  it('takes the table name from the stream ARN', () => {
    expect(toChangeRecord(insertRecord({ id: { S: 'a' } })).tableName).toBe('test-table');
  });

  it.each([
    ['no dynamodb section', { eventID: 'e', eventName: 'INSERT' }, /no "dynamodb" section/],
    ['an unknown event name', { ...insertRecord({ id: { S: 'a' } }), eventName: 'UPSERT' }, /eventName must be/],
    ['a non-numeric sequence number', withDynamodb({ SequenceNumber: 'abc' }), /SequenceNumber must be a string of digits/],
    ['an INSERT without new image', withDynamodb({ NewImage: undefined }), /no NewImage/],
    ['an attribute with two types', withDynamodb({ NewImage: { id: { S: 'a', N: '1' } } }), /exactly one type key/],
    ['an unknown type', withDynamodb({ NewImage: { id: { X: 'a' } } }), /unknown type/],
    ['no keys', withDynamodb({ Keys: {} }), /Keys is missing or empty/],
    ['a bad creation time', withDynamodb({ ApproximateCreationDateTime: 'yesterday' }), /ApproximateCreationDateTime/],
    ['a creation time out of the range of dates', withDynamodb({ ApproximateCreationDateTime: 1e300 }), /from 1970 to the year 9999/],
    ['a creation time before 1970', withDynamodb({ ApproximateCreationDateTime: -60589296000 }), /from 1970 to the year 9999/],
    ['a creation time after the year 9999', withDynamodb({ ApproximateCreationDateTime: 95617584000 * 3 }), /from 1970 to the year 9999/],
    [
      'an ISO creation time in the year 10000',
      withDynamodb({ ApproximateCreationDateTime: '+010000-01-01T00:00:00Z' }),
      /from 1970 to the year 9999/,
    ],
    ['a sequence number of zero', withDynamodb({ SequenceNumber: '000' }), /above 0/],
    ['an empty event id', { ...insertRecord({ id: { S: 'a' } }), eventID: '' }, /eventID must be a non-empty string/],
  ])('rejects a record with %s, saying what is wrong', (_name, raw, message) => {
    expect(() => toChangeRecord(raw as never)).toThrow(MalformedRecordError);
    expect(() => toChangeRecord(raw as never)).toThrow(message);
  });

  it('keeps an attribute named __proto__ as an attribute, at any depth', () => {
    const image = JSON.parse('{"id":{"S":"a"},"__proto__":{"S":"top"},"m":{"M":{"__proto__":{"N":"1"}}}}');
    const record = toChangeRecord(withDynamodb({ NewImage: image }) as never);
    expect(Object.keys(record.newImage!)).toEqual(['id', '__proto__', 'm']);
    expect(JSON.stringify(record.newImage)).toBe(JSON.stringify(image));
  });

  it('takes the configured table name when the record names no stream', () => {
    const raw = insertRecord({ id: { S: 'a' } }) as Record<string, unknown>;
    delete raw.eventSourceARN;
    expect(toChangeRecord(raw).tableName).toBe('configured-table');
  });

  it('reads a hand-made record (no event id, sequence number or time) as a manual change with an id from its content', () => {
    const manual = {
      eventName: 'INSERT',
      dynamodb: { Keys: { id: { S: 'test' } }, NewImage: { id: { S: 'test' }, name: { S: 'テスト' } } },
    };
    const record = toChangeRecord(manual);
    expect(record).toMatchObject({
      origin: 'manual',
      sequenceNumber: '0',
      approximateCreationTime: receivedAt,
      tableName: 'configured-table',
    });
    expect(record.eventId).toMatch(/^manual-[0-9a-f]{32}$/);
    expect(toChangeRecord(JSON.parse(JSON.stringify(manual))).eventId).toBe(record.eventId);
    const other = { ...manual, dynamodb: { ...manual.dynamodb, NewImage: { id: { S: 'test' }, name: { S: 'other' } } } };
    expect(toChangeRecord(other).eventId).not.toBe(record.eventId);
  });

  it('accepts a REMOVE without images (stream view KEYS_ONLY)', () => {
    const raw = removeRecord({ id: { S: 'a' } });
    delete (raw.dynamodb as Record<string, unknown>).OldImage;
    expect(toChangeRecord(raw).oldImage).toBeUndefined();
  });
});

function withDynamodb(patch: Record<string, unknown>): object {
  const raw = insertRecord({ id: { S: 'a' } });
  return { ...raw, dynamodb: { ...raw.dynamodb, ...patch } };
}

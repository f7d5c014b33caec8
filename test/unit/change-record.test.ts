import { MalformedRecordError, toChangeRecord } from '../../lambda/core/change-record';
import { insertRecord, removeRecord } from '../support/stream-records';

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
  ])('rejects a record with %s, saying what is wrong', (_name, raw, message) => {
    expect(() => toChangeRecord(raw as never)).toThrow(MalformedRecordError);
    expect(() => toChangeRecord(raw as never)).toThrow(message);
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

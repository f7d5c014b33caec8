import { documentId, KeyMismatchError } from '../../../lambda/core/document-id';
import { formatKeySchema, parseKeySchema } from '../../../lambda/settings/key-schema';
import { compareSequenceNumbers } from '../../../lambda/core/sequence-number';

describe('mirror document id', () => {
  it('is the partition key alone for a simple key', () => {
    expect(documentId({ id: { S: 'user-001' } }, { partitionKey: 'id' })).toBe('user-001');
  });

  it('is partition|sort for a composite key, in schema order whatever the record order', () => {
    expect(documentId({ sk: { N: '7' }, pk: { S: 'a' } }, { partitionKey: 'pk', sortKey: 'sk' })).toBe('a|7');
  });

  it('escapes | and \\ so different keys never share an id', () => {
    const schema = { partitionKey: 'pk', sortKey: 'sk' };
    const one = documentId({ pk: { S: 'a|b' }, sk: { S: 'c' } }, schema);
    const two = documentId({ pk: { S: 'a' }, sk: { S: 'b|c' } }, schema);
    expect(one).toBe('a\\|b|c');
    expect(two).toBe('a|b\\|c');
    expect(one).not.toBe(two);
  });

  it('hashes keys longer than OpenSearch allows for an id', () => {
    const id = documentId({ id: { S: 'x'.repeat(600) } }, { partitionKey: 'id' });
    expect(id).toMatch(/^\\sha256:[0-9a-f]{64}$/);
  });

  it('never gives a short key the id of a hashed long key', () => {
    const long = documentId({ id: { S: 'x'.repeat(600) } }, { partitionKey: 'id' });
    const lookalike = documentId({ id: { S: long } }, { partitionKey: 'id' });
    expect(lookalike).not.toBe(long);
    const plainLookalike = documentId({ id: { S: long.slice(1) } }, { partitionKey: 'id' });
    expect(plainLookalike).not.toBe(long);
  });

  it.each([
    ['a missing key attribute', { id: { S: 'a' } }, { partitionKey: 'pk' }],
    ['an extra key attribute', { id: { S: 'a' }, sk: { S: 'b' } }, { partitionKey: 'id' }],
    ['a missing sort key', { pk: { S: 'a' } }, { partitionKey: 'pk', sortKey: 'sk' }],
  ])('refuses keys that do not match the key schema (%s), naming both', (_name, keys, schema) => {
    expect(() => documentId(keys, schema)).toThrow(KeyMismatchError);
    expect(() => documentId(keys, schema)).toThrow(/do not match the configured key schema/);
  });

  it('parses the key schema setting and rejects nonsense', () => {
    expect(parseKeySchema('id')).toEqual({ partitionKey: 'id' });
    expect(parseKeySchema('pk, sk')).toEqual({ partitionKey: 'pk', sortKey: 'sk' });
    expect(() => parseKeySchema('a,b,c')).toThrow(/partitionKey,sortKey/);
    expect(() => parseKeySchema('')).toThrow(/partitionKey/);
  });

  it('round-trips key attribute names holding commas through the setting text', () => {
    for (const schema of [{ partitionKey: 'id' }, { partitionKey: 'pk', sortKey: 'sk' }, { partitionKey: 'a,b', sortKey: ' c' }]) {
      expect(parseKeySchema(formatKeySchema(schema))).toEqual(schema);
    }
  });
});

describe('sequence number order', () => {
  it('compares numbers longer than 64 bits exactly', () => {
    expect(compareSequenceNumbers('99999999999999999999', '100000000000000000000')).toBe(-1);
    expect(compareSequenceNumbers('4421584500000000017450439092', '4421584500000000017450439091')).toBe(1);
    expect(compareSequenceNumbers('000000000000000000001', '1')).toBe(0);
    expect(compareSequenceNumbers('000000000000000000010', '000000000000000000009')).toBe(1);
  });
});

import { toChangeLogDocument } from '../../../lambda/core/change-log-document';
import { toChangeRecord } from '../../../lambda/core/change-record';
import { diffItems } from '../../../lambda/core/item-diff';
import { changeBlock, changeJson, changeLine } from '../../../cli/output/change-lines';
import { itemKey } from '../../../cli/table/item-key';
import { insertRecord, modifyRecord, removeRecord } from '../../support/stream-records';

const at = new Date('2024-01-01T12:00:00Z');
const documentOf = (raw: object) => toChangeLogDocument(toChangeRecord(raw as never, { receivedAt: at }), at);
const created = { id: { S: 'user-001' }, name: { S: 'テストユーザー' } };
const updated = { id: { S: 'user-001' }, name: { S: '更新済みユーザー' } };

describe('an item diff', () => {
  it('names what was added, changed and removed, with plain values and exact numbers', () => {
    const diff = diffItems(
      { id: { S: 'a' }, n: { N: '1.50' }, gone: { BOOL: true }, same: { SS: ['x'] } },
      { id: { S: 'a' }, n: { N: '12345678901234567890123456789012345678' }, same: { SS: ['x'] }, tags: { L: [{ S: 't' }] } },
    );
    expect(diff).toEqual({
      added: [{ attribute: 'tags', after: '["t"]' }],
      changed: [{ attribute: 'n', before: '1.50', after: '12345678901234567890123456789012345678' }],
      removed: [{ attribute: 'gone', before: 'true' }],
    });
  });
});

describe('changes shown to people', () => {
  it('shows the demo scenario as a timeline: INSERT, the MODIFY as a diff, the REMOVE with what was deleted', () => {
    const lines = [
      documentOf(insertRecord(created, { at: 1704110400 })),
      documentOf(modifyRecord(created, updated, { at: 1704110700 })),
      documentOf(removeRecord(updated, { at: 1704111000 })),
    ].flatMap(changeBlock);
    expect(lines).toEqual([
      '2024-01-01T12:00:00.000Z  INSERT',
      '    + id = "user-001"',
      '    + name = "テストユーザー"',
      '2024-01-01T12:05:00.000Z  MODIFY',
      '    ~ name: "テストユーザー" → "更新済みユーザー"',
      '2024-01-01T12:10:00.000Z  REMOVE',
      '    - id = "user-001"  (deleted)',
      '    - name = "更新済みユーザー"  (deleted)',
    ]);
  });

  it('follows the log one line per change, a MODIFY with the attributes it changed', () => {
    expect(changeLine(documentOf(modifyRecord(created, updated, { at: 1704110700 })))).toBe(
      '2024-01-01T12:05:00.000Z  MODIFY  user-001  name: "テストユーザー" → "更新済みユーザー"',
    );
    expect(changeLine(documentOf(insertRecord(created, { at: 1704110400 })))).toBe('2024-01-01T12:00:00.000Z  INSERT  user-001');
  });

  it('gives scripts the same as JSON', () => {
    expect(changeJson(documentOf(modifyRecord(created, updated, { at: 1704110700 })))).toEqual({
      timestamp: '2024-01-01T12:05:00.000Z',
      event: 'MODIFY',
      key: 'user-001',
      added: [],
      removed: [],
      changed: [{ attribute: 'name', before: '"テストユーザー"', after: '"更新済みユーザー"' }],
    });
  });
});

describe('an item key typed by the user', () => {
  it('is named by the key schema', () => {
    expect(itemKey(['user-001'], { partitionKey: 'id' })).toEqual({ id: 'user-001' });
    expect(itemKey(['a', '7'], { partitionKey: 'pk', sortKey: 'sk' })).toEqual({ pk: 'a', sk: '7' });
  });

  it('must have one value per key attribute', () => {
    expect(() => itemKey(['a'], { partitionKey: 'pk', sortKey: 'sk' })).toThrow(
      'the key must be 2 value(s), one for each of "pk" and "sk", got "a"',
    );
  });
});

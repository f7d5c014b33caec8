/**
 * A batch written to routed mirrors: each change enters the mirrors whose `match` its item meets,
 * shaped as each says, leaves (with a tombstone) those it no longer meets, and a transform that
 * throws dead-letters that record for that mirror alone. The change log keeps what it is told,
 * and the excluded paths are nowhere, dead letters included.
 */
import { compileRouting, type MirrorRoute, type Transform } from '../../../lambda/core/routing';
import type { AttributeMap } from '../../../lambda/core/change-record';
import { applyChanges, AS_THE_FUNCTION_WRITES, type PipelineSettings } from '../../../lambda/pipeline/apply-changes';
import { InMemorySearch } from '../../support/in-memory-search';
import { insertRecord, keysOf, modifyRecord, removeRecord } from '../../support/stream-records';

const T = 1704110400;
const KEYS = ['pk', 'sk'];
const USERS: MirrorRoute = {
  index: 'users',
  match: { attribute: 'type', equals: 'user' },
  exclude: ['passwordHash'],
  rename: { name: 'fullName' },
  fields: { createdAt: 'date' },
};
const ADMINS: MirrorRoute = { index: 'admins', match: { attribute: 'type', equals: 'admin' } };
const ORDERS: MirrorRoute = { index: 'orders', match: { attribute: 'pk', beginsWith: 'ORDER#' }, transform: 'orders.ts#total' };

const total: Transform = (item) => {
  if (item.status === 'draft') return null;
  if (item.status === 'broken') throw new Error('order has no lines');
  return { ...item, total: 42 };
};

function settingsFor(mirrors: readonly MirrorRoute[], changeLog = {}): PipelineSettings {
  return {
    indexes: { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    changeLogPartitioning: 'none',
    ...AS_THE_FUNCTION_WRITES,
    compiledRouting: compileRouting(mirrors, changeLog, (index) => (index === 'orders' ? total : undefined)),
  };
}
const settings = settingsFor([USERS, ADMINS, ORDERS], { exclude: ['ssn'], operations: ['INSERT', 'MODIFY'] });

const user = (type: string, extra: AttributeMap = {}): AttributeMap => ({
  pk: { S: 'USER#1' },
  sk: { S: 'PROFILE' },
  type: { S: type },
  name: { S: 'Ada' },
  passwordHash: { S: 'x' },
  ssn: { S: '123-45-6789' },
  createdAt: { N: '1704110400' },
  ...extra,
});
const order = (status: string): AttributeMap => ({ pk: { S: 'ORDER#7' }, sk: { S: 'ORDER#7' }, status: { S: status } });
const at = (item: AttributeMap, sequenceNumber: number, seconds = 0) => ({ sequenceNumber, at: T + seconds, keys: keysOf(item, KEYS) });
const everything = (search: InMemorySearch) => JSON.stringify(search.indexNames().map((index) => search.sources(index)));
const docs = (search: InMemorySearch, alias: string) => search.sources(`${alias}-v1`);

describe('a batch routed to several mirrors', () => {
  it('puts each item in the mirrors it matches only, shaped as each says', async () => {
    const search = new InMemorySearch();
    const result = await applyChanges(
      [insertRecord(user('user'), at(user('user'), 1)), insertRecord(order('paid'), at(order('paid'), 2))],
      settings,
      search,
    );
    expect(result).toMatchObject({ failures: [], deadLettered: [], mirrorWritten: 2, changeLogWritten: 2 });
    expect(docs(search, 'users')['USER#1|PROFILE']).toEqual({
      pk: 'USER#1',
      sk: 'PROFILE',
      type: 'user',
      fullName: 'Ada',
      createdAt: '2024-01-01T12:00:00.000Z',
      _cdc: expect.objectContaining({ sequence_number: '000000000000000000001', event_name: 'INSERT' }),
    });
    expect(docs(search, 'admins')).toEqual({});
    expect(docs(search, 'orders')['ORDER#7|ORDER#7']).toMatchObject({ status: 'paid', total: 42 });
    expect(docs(search, 'test-table')).toEqual({});
  });

  it('moves an item whose matched attribute changed: out of the old mirror with a tombstone, into the new one, in one batch', async () => {
    const search = new InMemorySearch();
    await applyChanges([insertRecord(user('user'), at(user('user'), 1))], settings, search);
    const moved = await applyChanges([modifyRecord(user('user'), user('admin'), at(user('admin'), 2, 1))], settings, search);
    expect(moved).toMatchObject({ failures: [], mirrorWritten: 1, mirrorDeleted: 1 });
    expect(docs(search, 'users')).toEqual({});
    expect(search.sources('users-tombstones')['USER#1|PROFILE']._cdc.sequence_number).toBe('000000000000000000002');
    expect(docs(search, 'admins')['USER#1|PROFILE']).toMatchObject({ type: 'admin', name: 'Ada' });

    // A late, older write of the user (a re-delivery of the first change) cannot bring it back where it no longer belongs.
    await applyChanges([insertRecord(user('user'), at(user('user'), 1))], settings, search);
    expect(docs(search, 'users')).toEqual({});
  });

  it("a transform's null keeps the item out of its mirror, and takes it out when it was there", async () => {
    const search = new InMemorySearch();
    await applyChanges([insertRecord(order('draft'), at(order('draft'), 1))], settings, search);
    expect(docs(search, 'orders')).toEqual({});
    await applyChanges([modifyRecord(order('draft'), order('paid'), at(order('paid'), 2, 1))], settings, search);
    expect(docs(search, 'orders')['ORDER#7|ORDER#7']).toMatchObject({ total: 42 });
    await applyChanges([modifyRecord(order('paid'), order('draft'), at(order('draft'), 3, 2))], settings, search);
    expect(docs(search, 'orders')).toEqual({});
  });

  it('a transform that throws dead-letters that record for its mirror alone; the rest of the batch goes on', async () => {
    const search = new InMemorySearch();
    const result = await applyChanges(
      [insertRecord(order('broken'), at(order('broken'), 1)), insertRecord(user('user'), at(user('user'), 2))],
      settings,
      search,
    );
    expect(result.failures).toEqual([]);
    expect(result.deadLettered).toEqual([{ position: 0, target: 'mirror', reason: expect.stringContaining('order has no lines') }]);
    expect(result.changeLogWritten).toBe(2);
    expect(docs(search, 'users')['USER#1|PROFILE']).toBeDefined();
    const [letter] = Object.values(search.sources('dynamodb-cdc-deadletter'));
    expect(letter).toMatchObject({ target_index: 'orders', error_type: 'transform_failed' });
  });

  it('a REMOVE leaves the mirror the item was in; the change log, told to, does not record it', async () => {
    const search = new InMemorySearch();
    await applyChanges([insertRecord(user('user'), at(user('user'), 1))], settings, search);
    const removed = await applyChanges([removeRecord(user('user'), at(user('user'), 2, 1))], settings, search);
    expect(removed).toMatchObject({ failures: [], mirrorDeleted: 1, changeLogWritten: 0 });
    expect(docs(search, 'users')).toEqual({});
    expect(Object.keys(search.sources('users-tombstones'))).toEqual(['USER#1|PROFILE']);
    expect(search.sources('admins-tombstones')).toEqual({});
  });

  it("keeps the change log's excluded paths out of every index, dead letters included", async () => {
    const search = new InMemorySearch();
    await applyChanges(
      [
        insertRecord({ ...order('broken'), ssn: { S: '123-45-6789' } }, at(order('broken'), 1)),
        insertRecord(user('user'), at(user('user'), 2)),
      ],
      settings,
      search,
    );
    expect(everything(search)).toContain('Ada');
    expect(everything(search)).not.toContain('123-45-6789');
  });

  it('without routing, the one mirror takes every change whole, as before', async () => {
    const search = new InMemorySearch();
    const { compiledRouting: _, ...unrouted } = settings;
    await applyChanges([insertRecord(user('user'), at(user('user'), 1))], unrouted, search);
    expect(docs(search, 'test-table')['USER#1|PROFILE']).toMatchObject({ name: 'Ada', ssn: '123-45-6789', passwordHash: 'x' });
  });
});

describe("a transform's archive", () => {
  it('keeps what the transform returns for a REMOVE, marked _cdc.removed, so verify tells it from a stray document', async () => {
    const softDelete: Transform = (item, context) => (context.eventName === 'REMOVE' ? { ...item, deleted: true } : item);
    const archive: MirrorRoute = { index: 'orders', transform: 'orders.ts#softDelete' };
    const archiving: PipelineSettings = { ...settings, compiledRouting: compileRouting([archive], {}, () => softDelete) };
    const search = new InMemorySearch();
    await applyChanges([insertRecord(order('paid'), at(order('paid'), 1))], archiving, search);
    expect(docs(search, 'orders')['ORDER#7|ORDER#7']._cdc).not.toHaveProperty('removed');
    const removed = await applyChanges([removeRecord(order('paid'), at(order('paid'), 2, 1))], archiving, search);
    expect(removed).toMatchObject({ failures: [], deadLettered: [] });
    expect(docs(search, 'orders')['ORDER#7|ORDER#7']).toMatchObject({ status: 'paid', deleted: true, _cdc: { removed: true } });
  });
});

describe('the requests of a routed batch', () => {
  const records = Array.from({ length: 900 }, (_, i) => {
    const item =
      i % 3 === 2
        ? { ...order('paid'), pk: { S: `ORDER#${i}` }, sk: { S: `ORDER#${i}` } }
        : { ...user(i % 3 ? 'admin' : 'user'), pk: { S: `USER#${i}` } };
    return insertRecord(item, at(item, i + 1));
  });
  const writeRequests = async (pipelineSettings: PipelineSettings) => {
    const search = new InMemorySearch();
    const writes = jest.spyOn(search, 'write');
    const result = await applyChanges(records, pipelineSettings, search);
    expect(result).toMatchObject({ failures: [], deadLettered: [], mirrorWritten: 900, changeLogWritten: 900 });
    return writes.mock.calls.length;
  };

  it('are no more than an unrouted batch makes: each of three mirrors takes a share of the slices', async () => {
    const { compiledRouting: _, ...unrouted } = settings;
    const routed = await writeRequests(settings);
    expect(routed).toBeLessThanOrEqual(await writeRequests(unrouted));
  });
});

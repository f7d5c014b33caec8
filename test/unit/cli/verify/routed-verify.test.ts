/**
 * `cdc verify` with routing: each mirror index is compared with the items that belong to it, in
 * the shape the routing gives them; an item in an index it does not belong to is extra there.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parse } from 'lossless-json';
import { mirroredItem, type MirrorReader } from '../../../../lambda/adapters/opensearch';
import { compileRouting, type AttributeMap, type MirrorRoute, type Transform } from '../../../../lambda/core';
import { routedChecks, verifyMirrors, type IndexVerifyResult } from '../../../../cli/verify';

const TABLE = 'single-table';
const KEY_SCHEMA = { partitionKey: 'pk' };

/** A table of items by `pk` (S): DescribeTable, Scan (one page) and GetItem. */
function fakeTable(items: readonly AttributeMap[]): DynamoDBClient {
  const byKey = new Map(items.map((item) => [item.pk.S!, item]));
  const send = async ({ constructor, input }: { constructor: { name: string }; input: any }) => {
    switch (constructor.name) {
      case 'DescribeTableCommand':
        return {
          Table: {
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          },
        };
      case 'ScanCommand':
        return { Items: (input.Segment ?? 0) === 0 ? structuredClone([...byKey.values()]) : [] };
      case 'GetItemCommand': {
        const item = byKey.get(input.Key.pk.S);
        return item ? { Item: structuredClone(item) } : {};
      }
      default:
        throw new Error(`the fake table does not do ${constructor.name}`);
    }
  };
  return { send } as unknown as DynamoDBClient;
}

/** Mirror indexes holding documents (JSON text, numbers read exactly, as from OpenSearch). */
function fakeIndexes(documents: Record<string, Record<string, string>>): (index: string) => MirrorReader {
  return (index) => {
    const held = documents[index] ?? {};
    const reader = {
      async items(ids: readonly string[]) {
        return new Map(
          ids.filter((id) => Object.hasOwn(held, id)).map((id) => [id, mirroredItem(parse(held[id]) as Record<string, unknown>)]),
        );
      },
      async *ids() {
        if (Object.keys(held).length > 0) yield Object.keys(held);
      },
    };
    return reader as unknown as MirrorReader;
  };
}

const MIRRORS: MirrorRoute[] = [
  { index: 'users', match: { attribute: 'type', equals: 'user' }, rename: { name: 'fullName' } },
  { index: 'admins', match: { attribute: 'type', equals: 'admin' } },
  { index: 'orders', match: { attribute: 'pk', beginsWith: 'ORDER#' }, transform: 'orders.ts#order' },
];
/** Orders get their total; a draft is in no index. */
const order: Transform = (item) => (item.status === 'draft' ? null : { ...item, total: Number(item.price) * Number(item.quantity) });
const faulty: Transform = () => {
  throw new Error('no price');
};

async function verifyRouted(
  items: readonly AttributeMap[],
  documents: Record<string, Record<string, string>>,
  options: { transform?: Transform; sample?: number; only?: AttributeMap[]; mirrors?: MirrorRoute[] } = {},
): Promise<Record<string, IndexVerifyResult['report']>> {
  const routing = compileRouting(options.mirrors ?? MIRRORS, { exclude: ['ssn'] }, (index) =>
    index === 'orders' ? (options.transform ?? order) : undefined,
  );
  const results = await verifyMirrors({
    dynamo: fakeTable(items),
    tableName: TABLE,
    keySchema: KEY_SCHEMA,
    sample: options.sample,
    only: options.only,
    mirrors: routedChecks(routing, fakeIndexes(documents)),
  });
  return Object.fromEntries(results.map((result) => [result.index, result.report]));
}

const ada: AttributeMap = { pk: { S: 'USER#ada' }, type: { S: 'user' }, name: { S: 'Ada' }, ssn: { S: '123' } };
const adaAsUser = '{"pk":"USER#ada","type":"user","fullName":"Ada"}';
const adaAsAdmin = '{"pk":"USER#ada","type":"admin","name":"Ada"}';
const order1: AttributeMap = { pk: { S: 'ORDER#1' }, price: { N: '2.5' }, quantity: { N: '4' }, status: { S: 'placed' } };
const order1Document = '{"pk":"ORDER#1","price":2.5,"quantity":4,"status":"placed","total":10}';

describe('cdc verify with routing', () => {
  it('matches when each index holds exactly the items that belong to it, in their shape', async () => {
    const reports = await verifyRouted([ada, order1], { users: { 'USER#ada': adaAsUser }, orders: { 'ORDER#1': order1Document } });
    for (const index of ['users', 'admins', 'orders']) expect(reports[index]).toMatchObject({ matches: true, checked: 2 });
    expect(reports.users.mirrorDocuments).toBe(1);
    expect(reports.admins.mirrorDocuments).toBe(0);
  });

  it('shows an item that moved between indexes as extra in the old one and missing from the new one', async () => {
    const promoted = { ...ada, type: { S: 'admin' } };
    const reports = await verifyRouted([promoted], { users: { 'USER#ada': adaAsUser } });
    expect(reports.users).toMatchObject({ extra: ['USER#ada'], missing: [], matches: false });
    expect(reports.admins).toMatchObject({ missing: ['USER#ada'], extra: [], matches: false });
    expect(reports.orders.matches).toBe(true);
  });

  it('compares the shaped document: the rename applied and the excluded path left out', async () => {
    const unshaped = '{"pk":"USER#ada","type":"user","name":"Ada","ssn":"123"}';
    const reports = await verifyRouted([ada], { users: { 'USER#ada': unshaped } });
    expect(reports.users).toMatchObject({ different: ['USER#ada'], matches: false });
  });

  it('takes a transform\'s null as "must not be there": a draft order in the index is extra, and missing nowhere', async () => {
    const draft = { ...order1, status: { S: 'draft' } };
    const stale = '{"pk":"ORDER#1","price":2.5,"quantity":4,"status":"draft","total":10}';
    expect((await verifyRouted([draft], { orders: { 'ORDER#1': stale } })).orders).toMatchObject({ extra: ['ORDER#1'], matches: false });
    expect((await verifyRouted([draft], {})).orders).toMatchObject({ missing: [], extra: [], matches: true });
  });

  it("compares with the transform's document: a total that is not the transform's is different", async () => {
    const wrongTotal = '{"pk":"ORDER#1","price":2.5,"quantity":4,"status":"placed","total":9}';
    expect((await verifyRouted([order1], { orders: { 'ORDER#1': wrongTotal } })).orders.different).toEqual(['ORDER#1']);
  });

  it('lists documents whose item is gone from the table as extra in their index', async () => {
    const reports = await verifyRouted([], { admins: { 'USER#bob': '{"pk":"USER#bob","type":"admin"}' } });
    expect(reports.admins).toMatchObject({ extra: ['USER#bob'], matches: false });
  });

  it('reports items whose transform throws as not comparable, with the message, and does not match', async () => {
    const reports = await verifyRouted([order1], {}, { transform: faulty });
    expect(reports.orders.transformFailed).toEqual([
      expect.stringContaining('ORDER#1: the transform orders.ts#order of mirror orders threw: no price'),
    ]);
    expect(reports.orders.matches).toBe(false);
    expect(reports.users.transformFailed).toBeUndefined();
  });

  it('finds a misplaced item among the keys it is given (after a repair)', async () => {
    const promoted = { ...ada, type: { S: 'admin' } };
    const reports = await verifyRouted(
      [promoted],
      { users: { 'USER#ada': adaAsUser }, admins: { 'USER#ada': adaAsAdmin } },
      {
        only: [{ pk: { S: 'USER#ada' } }],
      },
    );
    expect(reports.users).toMatchObject({ extra: ['USER#ada'], sampled: true });
    expect(reports.admins).toMatchObject({ matches: true });
  });

  describe('an index that keeps documents of deleted items by its settings', () => {
    const archive: MirrorRoute = { index: 'users', match: { attribute: 'type', equals: 'user' }, operations: ['INSERT', 'MODIFY'] };
    const softDelete: Transform = (item, context) => (context.eventName === 'REMOVE' ? { ...item, deleted: true } : item);
    const gone = '{"pk":"USER#bob","type":"user","_cdc":{"event_name":"MODIFY"}}';

    it('without REMOVE: every document of a deleted item is archived, a note and not a difference', async () => {
      const reports = await verifyRouted(
        [ada],
        { users: { 'USER#ada': '{"pk":"USER#ada","type":"user","name":"Ada"}', 'USER#bob': gone } },
        { mirrors: [archive] },
      );
      expect(reports.users).toMatchObject({ extra: [], archived: ['USER#bob'], matches: true });
    });

    it('with a transform: what it kept on a REMOVE (_cdc.removed) is archived; any other document of a deleted item is extra', async () => {
      const orders: MirrorRoute = { index: 'orders', transform: 'orders.ts#order' };
      const kept = '{"pk":"ORDER#2","deleted":true,"_cdc":{"event_name":"MODIFY","removed":true}}';
      const stray = '{"pk":"ORDER#3","_cdc":{"event_name":"MODIFY"}}';
      const reports = await verifyRouted(
        [],
        { orders: { 'ORDER#2': kept, 'ORDER#3': stray } },
        { mirrors: [orders], transform: softDelete },
      );
      expect(reports.orders).toMatchObject({ extra: ['ORDER#3'], archived: ['ORDER#2'], matches: false });
    });

    it('without INSERT or MODIFY: not compared, saying why (what it holds depends on history a Scan cannot see)', async () => {
      const insertsOnly: MirrorRoute = { index: 'users', operations: ['INSERT'] };
      const stale = '{"pk":"USER#ada","type":"user","name":"Ada before"}';
      const reports = await verifyRouted([ada], { users: { 'USER#ada': stale, 'USER#bob': gone } }, { mirrors: [insertsOnly] });
      expect(reports.users).toMatchObject({
        different: [],
        extra: [],
        matches: true,
        notCompared: expect.stringContaining('takes INSERT only'),
      });
    });
  });
});

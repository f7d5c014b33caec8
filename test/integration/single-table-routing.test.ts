/**
 * The single-table design end to end, on the running engines: a stack of its own deployed with
 * examples/single-table.json (users, staff, orders with a transform, order items; PII excluded
 * everywhere), its table written as an application would, then every index checked; the mirrors
 * emptied and rebuilt by `cdc backfill` (which names the order its transform refuses), and
 * `cdc verify` finding nothing to repair once that order is fixed. The table is emptied first
 * (earlier runs leave their items), so each run starts from the same state.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeleteItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { deployStack, runningEmulatorEngine } from '../../local/deploy';
import { mirrorBackingIndex } from '../../lambda/settings/index-names';
import { documentId } from '../../lambda/core/document-id';
import { dynamo, endpoints, runPrefix, search, waitFor } from '../support/live-system';

const ROOT = path.join(__dirname, '..', '..');
const CDC = path.join(ROOT, 'bin', 'cdc.js');
const STACK = 'SingleTableCdcE2e';
const TABLE = 'single-table-e2e';
const CHANGE_LOG = 'single-table-e2e-cdc';
const DEAD_LETTER = `${CHANGE_LOG}-deadletter`;
const MIRRORS = ['users', 'staff', 'orders', 'order-items'];
const KEYS = { partitionKey: 'pk', sortKey: 'sk' };

const client = dynamo();
const opensearch = search();
const run = runPrefix('st');

beforeAll(async () => {
  const engine = await runningEmulatorEngine(endpoints);
  deployStack(endpoints, [
    ...(engine.deployContext ?? []),
    ...['-c', 'config=examples/single-table.json', '-c', `stackName=${STACK}`, '-c', `tableName=${TABLE}`],
    ...['-c', 'functionName=single-table-e2e-handler', '-c', 'dlqName=single-table-e2e-dlq', '-c', `changeLogIndex=${CHANGE_LOG}`],
  ]);
  await emptyTheTable();
}, 15 * 60_000);

/**
 * Deletes what earlier runs left in the table, lets the stream take it out of the mirrors, then
 * deletes what is left there: documents of another engine's table (OpenSearch keeps its data when
 * the emulator changes, and a new table streams no deletes of items it never held).
 */
async function emptyTheTable(): Promise<void> {
  let startKey: Item | undefined;
  let deleted = 0;
  do {
    const page = await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: startKey, ProjectionExpression: 'pk, sk' }));
    for (const key of page.Items ?? []) await client.send(new DeleteItemCommand({ TableName: TABLE, Key: key }));
    deleted += page.Items?.length ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const mirrorCounts = () =>
    Promise.all(MIRRORS.map(async (index) => (await opensearch.count({ index }, { ignore: [404] })).body.count ?? 0));
  if (deleted > 0)
    await waitFor(
      'the stream to take the deleted items out',
      async () => ((await mirrorCounts()).every((count) => count === 0) ? true : undefined),
      30_000,
    ).catch(() => undefined);
  for (const index of MIRRORS) {
    await opensearch.deleteByQuery(
      { index: mirrorBackingIndex(index), body: { query: { match_all: {} } } as never, refresh: true, conflicts: 'proceed' },
      { ignore: [404] },
    );
  }
  expect(await mirrorCounts()).toEqual(MIRRORS.map(() => 0));
}

afterAll(async () => {
  client.destroy();
  await opensearch.close();
});

type Item = Record<string, AttributeValue>;
const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number | string): AttributeValue => ({ N: String(value) });
const line = (price: number, quantity?: number): AttributeValue => ({
  M: { price: N(price), ...(quantity === undefined ? {} : { quantity: N(quantity) }) },
});

const user: Item = {
  pk: S(`USER#${run}-ann`),
  sk: S('PROFILE'),
  name: S('Ann'),
  email: S('ann@example.com'),
  role: S('customer'),
  ssn: S('123-45-6789'),
  passwordHash: S('pbkdf2$secret'),
  address: { M: { street: S('1 Main St'), city: S('Kyoto') } },
  createdAt: S('2024-01-31T12:00:00+09:00'),
};
const order = (id: string, status: string, lines: AttributeValue[]): Item => ({
  pk: S(`ORDER#${run}-${id}`),
  sk: S(`ORDER#${run}-${id}`),
  status: S(status),
  placedAt: N(1706700000), // epoch seconds: 2024-01-31T11:20:00Z
  lines: { L: lines },
  payment: { M: { cardNumber: S('4111111111111111'), brand: S('VISA') } },
});
const paid = order('paid', 'paid', [line(10.25, 2), line(1.5, 1)]);
const draft = order('draft', 'draft', [line(3, 1)]);
const broken = order('broken', 'paid', [line(3)]);
const orderLine: Item = { pk: paid.pk, sk: S(`ITEM#${run}-1`), sku: S('SKU-1'), quantity: N(2), price: N(10.25), warehouse: S('W1') };
const config: Item = { pk: S(`CONFIG#${run}`), sk: S('SETTINGS'), theme: S('dark') };

const idOf = (item: Item) => documentId({ pk: item.pk, sk: item.sk } as never, KEYS);
const put = (item: Item) => client.send(new PutItemCommand({ TableName: TABLE, Item: item }));

async function documentIn(index: string, item: Item): Promise<Record<string, any> | undefined> {
  const { body, statusCode } = await opensearch.get({ index, id: idOf(item) }, { ignore: [404] });
  return statusCode === 200 ? (body._source as Record<string, any>) : undefined;
}

function waitForDocument(index: string, item: Item, holds: (document: Record<string, any>) => boolean = () => true) {
  return waitFor(`${idOf(item)} in ${index}`, async () => {
    const document = await documentIn(index, item);
    return document !== undefined && holds(document) ? document : undefined;
  });
}

function waitForAbsence(index: string, item: Item) {
  return waitFor(`${idOf(item)} gone from ${index}`, async () => ((await documentIn(index, item)) === undefined ? true : undefined));
}

async function changeLogOf(item: Item): Promise<Record<string, any>[]> {
  await opensearch.indices.refresh({ index: CHANGE_LOG });
  const { body } = await opensearch.search({
    index: CHANGE_LOG,
    body: { size: 100, query: { bool: { filter: [{ term: { 'keys.pk.S': item.pk.S } }, { term: { 'keys.sk.S': item.sk.S } }] } } } as never,
  });
  return body.hits.hits.map((hit) => hit._source as Record<string, any>);
}

function cdc(...args: string[]) {
  return spawnSync(process.execPath, [CDC, '--local', '--stack', STACK, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, AWS_ENDPOINT_URL: endpoints.aws, OPENSEARCH_URL: endpoints.openSearch },
    timeout: 10 * 60_000,
  });
}

/** Exit 0; else the failure names the command's output. */
function expectSuccess(result: ReturnType<typeof cdc>): void {
  if (result.status !== 0) throw new Error(`exit ${result.status}:\n${(result.stderr + result.stdout).slice(-4000)}`);
}

describe('a single-table design routed to its own indexes', () => {
  it('puts each entity in its index, shaped, with the PII nowhere', async () => {
    for (const item of [user, paid, draft, broken, orderLine, config]) await put(item);

    const shapedUser = await waitForDocument('users', user);
    expect(shapedUser).toMatchObject({ fullName: 'Ann', email: 'ann@example.com', address: { city: 'Kyoto' } });
    expect(shapedUser.createdAt).toBe('2024-01-31T03:00:00.000Z');
    expect(shapedUser).not.toHaveProperty('name');
    expect(shapedUser).not.toHaveProperty('passwordHash');
    expect(shapedUser).not.toHaveProperty('ssn');
    expect(shapedUser.address).not.toHaveProperty('street');

    const shapedOrder = await waitForDocument('orders', paid);
    expect(shapedOrder).toMatchObject({ total: 22, lineCount: 2, placedAt: '2024-01-31T11:20:00.000Z', payment: { brand: 'VISA' } });
    expect(shapedOrder.payment).not.toHaveProperty('cardNumber');

    const shapedLine = await waitForDocument('order-items', orderLine);
    expect(Object.keys(shapedLine).sort()).toEqual(['_cdc', 'pk', 'price', 'quantity', 'sk', 'sku']);

    // The item of no entity and the draft order are in the change log only; the staff index has no customer.
    const configChanges = await waitFor('the config item in the change log', async () => {
      const changes = await changeLogOf(config);
      return changes.length > 0 ? changes : undefined;
    });
    expect(configChanges[0].data.theme.S).toBe('dark');
    for (const index of MIRRORS) expect(await documentIn(index, config)).toBeUndefined();
    expect(await documentIn('orders', draft)).toBeUndefined();
    expect(await documentIn('staff', user)).toBeUndefined();

    const [userChange] = await changeLogOf(user);
    expect(JSON.stringify(userChange)).not.toContain('123-45-6789');
    expect(userChange.data.passwordHash.S).toBe('pbkdf2$secret'); // excluded from the users mirror only
  });

  it('dead-letters the order whose transform throws, with the message, and writes its other indexes', async () => {
    const letter = await waitFor('the broken order dead-lettered', async () => {
      await opensearch.indices.refresh({ index: DEAD_LETTER });
      const { body } = await opensearch.search({
        index: DEAD_LETTER,
        body: { query: { term: { event_id: (await changeLogOf(broken))[0]?.event_id ?? 'none' } } } as never,
      });
      return body.hits.hits[0]?._source as Record<string, any> | undefined;
    });
    expect(letter).toMatchObject({ target_index: 'orders', error_type: 'transform_failed' });
    expect(letter.reason).toContain('has no price or quantity');
    expect(letter.record_json).not.toContain('4111111111111111');
    expect(await documentIn('orders', broken)).toBeUndefined();
  });

  it('moves items between indexes as their attributes change, and deletes what the table deletes', async () => {
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: user.pk, sk: user.sk },
        UpdateExpression: 'SET #role = :staff',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':staff': S('staff') },
      }),
    );
    const staff = await waitForDocument('staff', user);
    expect(Object.keys(staff).sort()).toEqual(['_cdc', 'createdAt', 'email', 'name', 'pk', 'role', 'sk']);
    await waitForDocument('users', user, (document) => document.role === 'staff');

    await put({ ...paid, status: S('draft') });
    await waitForAbsence('orders', paid);
    await put({ ...draft, status: S('paid') });
    await waitForDocument('orders', draft, (document) => document.total === 3);

    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: orderLine.pk, sk: orderLine.sk } }));
    await waitForAbsence('order-items', orderLine);
    const removal = (await changeLogOf(orderLine)).find((change) => change.event_name === 'REMOVE');
    expect(removal?.deleted_data.warehouse.S).toBe('W1');
  });

  it('answers range queries on the declared date fields, whether given as ISO text or epoch seconds', async () => {
    await opensearch.indices.refresh({ index: 'orders,staff' });
    const placed = await opensearch.search({
      index: 'orders',
      body: {
        query: {
          bool: {
            filter: [
              { range: { placedAt: { gte: '2024-01-31T11:00:00Z', lt: '2024-01-31T12:00:00Z' } } },
              { term: { 'pk.keyword': draft.pk.S } },
            ],
          },
        },
      } as never,
    });
    expect(placed.body.hits.hits).toHaveLength(1);
    const created = await opensearch.search({
      index: 'staff',
      body: {
        query: { bool: { filter: [{ range: { createdAt: { lt: '2024-02-01' } } }, { term: { 'pk.keyword': user.pk.S } }] } },
      } as never,
    });
    expect(created.body.hits.hits).toHaveLength(1);
  });

  it('rebuilds emptied mirrors with cdc backfill, and cdc verify then finds every index as the routing says', async () => {
    for (const index of MIRRORS) {
      await opensearch.deleteByQuery({
        index: mirrorBackingIndex(index),
        body: { query: { match_all: {} } } as never,
        refresh: true,
        conflicts: 'proceed',
      });
    }
    const backfill = cdc('backfill', '--json', '--checkpoint', path.join(os.tmpdir(), `${run}-backfill.json`));
    // Every item written but the broken order, which the backfill names with its transform's message (and exits 1).
    expect(backfill.status).toBe(1);
    const summary = JSON.parse(backfill.stdout);
    expect(summary).toMatchObject({ complete: true, failed: 1, problems: [] });
    expect(summary.deadLettered).toHaveLength(1);
    expect(summary.deadLettered[0]).toMatch(
      new RegExp(`^${broken.pk.S} ${broken.sk.S}: the transform .* of mirror orders threw.*has no price or quantity`),
    );
    expect(await documentIn('users', user)).toMatchObject({ fullName: 'Ann' });
    expect(await documentIn('staff', user)).toMatchObject({ role: 'staff' });
    expect(await documentIn('orders', draft)).toMatchObject({ total: 3 });
    expect(await documentIn('orders', paid)).toBeUndefined();
    expect(await documentIn('order-items', orderLine)).toBeUndefined();

    const refused = cdc('verify', '--json');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain(`line 0 of order ${broken.pk.S} has no price or quantity`);

    // Fixed in the table, the order reaches its index through the stream, and every index then matches.
    await put({ ...broken, lines: { L: [line(3, 1)] } });
    await waitForDocument('orders', broken, (document) => document.total === 3);
    expectSuccess(cdc('verify', '--json'));
  });
});

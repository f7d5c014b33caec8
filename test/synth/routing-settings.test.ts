/**
 * The routing settings of the CDK app: the demo table's keys, `mirrors` and `changeLog` from
 * context, `-c config=<file>`, and the single-table example (its file, and its transform routed
 * by the core as the function will).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { toChangeRecord, type AttributeMap } from '../../lambda/core';
import { compileRouting, routeRecord, type MirrorRouting } from '../../lambda/core/routing';
import { appContext, contextWithConfig, parseConfigFile } from '../../lib/config-file';
import { CdcStack } from '../../lib/cdc-stack';
import { readAppSettings } from '../../lib/app-settings';
import { orderTotal } from '../../examples/transforms/order-total';
import { insertRecord, modifyRecord, removeRecord } from '../support/stream-records';

const cdkJson = require('../../cdk.json');
const example = path.join(__dirname, '..', '..', 'examples', 'single-table.json');

function synth(context: Record<string, unknown> = {}): Template {
  const app = new App({ context: { ...cdkJson.context, ...context } });
  const config = readAppSettings(appContext((key) => app.node.tryGetContext(key), cdkJson.context));
  return Template.fromStack(new CdcStack(app, 'DynamoDbOpenSearchCdcStack', { config }));
}

const environment = (template: Template): Record<string, string> =>
  Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => fn.Properties.Environment?.Variables?.MIRRORS !== undefined)
    ?.Properties.Environment.Variables;

describe('the routing settings of the app', () => {
  it('key the demo table by partitionKey and sortKey, and the function by the same keys', () => {
    const template = synth({ partitionKey: 'pk', sortKey: 'sk:N', mirrors: [{ index: 'all' }] });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
    });
    expect(environment(template).KEY_SCHEMA).toBe('pk,sk');
  });

  it('pass mirrors and changeLog to the function, given as JSON or as -c text', () => {
    const mirrors = [{ index: 'users', match: { attribute: 'type', equals: 'user' } }];
    const variables = environment(synth({ mirrors: JSON.stringify(mirrors), changeLog: { exclude: ['ssn'] } }));
    expect(JSON.parse(variables.MIRRORS)).toEqual(mirrors);
    expect(JSON.parse(variables.CHANGE_LOG_RULES)).toEqual({ exclude: ['ssn'] });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ mirrors: [{ index: 'Users' }] }, 'CDK context "mirrors" has at [0].index a value that is not a valid OpenSearch index name'],
    [{ mirrors: '[{"index":"users"},]' }, 'CDK context "mirrors" must be JSON'],
    [{ changeLog: { exclude: ['id'] } }, 'CDK context "changeLog" excludes id, a key attribute of the table'],
    [{ partitionKey: 'pk', sortKey: 'pk:S' }, 'CDK context "sortKey" must name another attribute than partitionKey'],
  ])('refuses %j at synth, naming the key', (context, message) => {
    expect(() => synth(context)).toThrow(message);
  });
});

describe('settings from a file (-c config=<file>)', () => {
  const context = (values: Record<string, unknown>) => (key: string) => values[key];

  it('are taken where no -c gives the key; an explicit -c wins over the file, the file over cdk.json', () => {
    const fromFile = { batchSize: 500, mirrorShards: 3, tableName: 'orders' };
    const merged = contextWithConfig(context({ ...cdkJson.context, batchSize: 7 }), fromFile, cdkJson.context);
    expect([merged('batchSize'), merged('mirrorShards'), merged('tableName'), merged('functionName')]).toEqual([
      7,
      3,
      'orders',
      'dynamodb-cdc-handler',
    ]);
  });

  it.each<[string, RegExp]>([
    ['{"mirrorz": []}', /^config names a file with the key mirrorz, which is no setting of the app; the keys are target, /],
    ['{"config": "other.json"}', /the key config, which is no setting/],
    ['[]', /does not hold a JSON object of context settings/],
    ['{"batchSize": 1,}', /^config names a file that is not JSON/],
  ])('refuses a file holding %s, naming it', (text, message) => {
    expect(() => parseConfigFile(text, 'settings.json')).toThrow(message);
  });

  it('refuses a file it cannot read, naming it', () => {
    expect(() => synth({ config: path.join(os.tmpdir(), 'no-such-config.json') })).toThrow(
      /^config names a file that cannot be read \(ENOENT\)/,
    );
  });

  it('synthesizes the single-table example', () => {
    const variables = environment(synth({ config: example }));
    expect(variables.KEY_SCHEMA).toBe('pk,sk');
    expect(JSON.parse(variables.MIRRORS).map((mirror: { index: string }) => mirror.index)).toEqual([
      'users',
      'staff',
      'orders',
      'order-items',
    ]);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-config-'));
    fs.writeFileSync(path.join(scratch, 'c.json'), JSON.stringify({ mirrors: [{ index: 'x', fields: { at: 'time' } }] }));
    expect(() => synth({ config: path.join(scratch, 'c.json') })).toThrow(
      'CDK context "mirrors" has at [0].fields.at a value that is not a field type',
    );
  });
});

describe('the single-table example, routed', () => {
  const settings = parseConfigFile(fs.readFileSync(example, 'utf8'), example);
  const routing = compileRouting(settings.mirrors as never, settings.changeLog as never, (index) =>
    index === 'orders' ? orderTotal : undefined,
  );
  const keys = (item: AttributeMap) => ({ pk: item.pk, sk: item.sk });
  const at = { receivedAt: new Date('2024-01-01T00:00:00Z') };
  const record = (raw: ReturnType<typeof insertRecord>) =>
    toChangeRecord({ ...raw, dynamodb: { ...raw.dynamodb, Keys: keys(raw.dynamodb!.NewImage ?? raw.dynamodb!.OldImage!) as never } }, at);
  const entered = (routed: readonly MirrorRouting[]) =>
    Object.fromEntries(
      routed
        .filter((mirror) => mirror.action !== 'none')
        .map((mirror) => [
          mirror.index,
          mirror.action === 'enter'
            ? JSON.parse(JSON.stringify(mirror.document.document, (_, v) => (v?.text !== undefined ? Number(v.text) : v)))
            : mirror.action,
        ]),
    );

  const user: AttributeMap = {
    pk: { S: 'USER#1' },
    sk: { S: 'PROFILE' },
    name: { S: 'Ann' },
    ssn: { S: '123-45-6789' },
    passwordHash: { S: 'x' },
    address: { M: { street: { S: '1 Main St' }, city: { S: 'Kyoto' } } },
    createdAt: { N: '1700000000000' },
  };
  const order: AttributeMap = {
    pk: { S: 'ORDER#9' },
    sk: { S: 'ORDER#9' },
    placedAt: { S: '2024-01-31T12:00:00+09:00' },
    lines: { L: [{ M: { price: { N: '10.25' }, quantity: { N: '2' } } }, { M: { price: { N: '1.5' }, quantity: { N: '1' } } }] },
    payment: { M: { cardNumber: { S: '4111' }, brand: { S: 'V' } } },
  };

  it('sends a user to users, shaped, without the excluded PII', () => {
    expect(entered(routeRecord(routing, record(insertRecord(user))).mirrors)).toEqual({
      users: { pk: 'USER#1', sk: 'PROFILE', address: { city: 'Kyoto' }, createdAt: '2023-11-14T22:13:20.000Z', fullName: 'Ann' },
    });
  });

  it('sends an order to orders with its total computed, and the card number nowhere', () => {
    const routed = entered(routeRecord(routing, record(insertRecord(order))).mirrors);
    expect(routed.orders).toMatchObject({ placedAt: '2024-01-31T03:00:00.000Z', total: 22, lineCount: 2, payment: { brand: 'V' } });
    expect(JSON.stringify(routed)).not.toContain('4111');
  });

  it('adds a user who becomes staff to staff as well, and takes them out when they no longer are', () => {
    const staff = { ...user, role: { S: 'staff' } };
    expect(Object.keys(entered(routeRecord(routing, record(modifyRecord(user, staff))).mirrors))).toEqual(['users', 'staff']);
    expect(entered(routeRecord(routing, record(modifyRecord(staff, user))).mirrors).staff).toBe('leave');
  });

  it('takes an order out of orders when it becomes a draft, dead-letters one with a broken line, and keeps a TTL-expired one', () => {
    const draft = { ...order, status: { S: 'draft' } };
    expect(entered(routeRecord(routing, record(modifyRecord(order, draft))).mirrors)).toEqual({ orders: 'leave' });
    const broken = { ...order, lines: { L: [{ M: { price: { N: '1' } } }] } };
    expect(routeRecord(routing, record(insertRecord(broken))).mirrors[2]).toMatchObject({
      action: 'failed',
      error: { message: expect.stringContaining('threw: line 0 of order ORDER#9 has no price or quantity') },
    });
    const expired = routeRecord(
      routing,
      record(removeRecord(order, { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } })),
    );
    expect(entered(expired.mirrors).orders).toMatchObject({ expired: true, total: 22 });
    expect(entered(routeRecord(routing, record(removeRecord(order))).mirrors)).toEqual({ orders: 'leave' });
  });
});

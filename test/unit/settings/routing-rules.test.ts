import {
  changeLogRule,
  fromFunctionEnvironment,
  keyAttributeRule,
  mirrorsRule,
  parseKeyAttribute,
  resolveFunctionSettings,
  mirrorRoutes,
  SettingError,
  toFunctionEnvironment,
} from '../../../lambda/settings';

const valid = [
  {
    index: 'users',
    match: { attribute: 'pk', beginsWith: 'USER#' },
    exclude: ['password', 'address.street'],
    rename: { name: 'fullName' },
  },
  {
    index: 'orders',
    match: {
      any: [
        { attribute: 'type', equals: 'order' },
        {
          all: [
            { attribute: 'pk', beginsWith: 'ORDER#' },
            { attribute: 'lines', equals: 3 },
          ],
        },
      ],
    },
    include: ['pk', 'placedAt', 'total'],
    fields: { placedAt: 'date', total: 'double' },
    operations: ['INSERT', 'MODIFY'],
    transform: 'examples/transforms/order-total.ts#orderTotal',
  },
];

const refusal = (value: unknown) => {
  try {
    mirrorsRule.check('mirrors', value);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('the mirrors setting', () => {
  it('takes every form the docs show, as JSON or as its text, and writes it back as it reads it', () => {
    expect(mirrorsRule.check('mirrors', valid)).toEqual(valid);
    expect(mirrorsRule.check('mirrors', JSON.stringify(valid))).toEqual(valid);
    expect(mirrorsRule.check('mirrors', mirrorsRule.format(mirrorsRule.check('mirrors', valid)))).toEqual(valid);
    expect(mirrorsRule.check('mirrors', [{ index: 'all', match: { attribute: 'deleted', equals: null } }])).toHaveLength(1);
  });

  it.each<[string, unknown, string]>([
    ['not JSON', '[{index:', 'mirrors must be JSON'],
    ['an empty list', [], 'mirrors must be a list of mirrors'],
    ['a mirror without an index', [{ match: { attribute: 'a', equals: 1 } }], 'mirrors has at [0] a value that has no index'],
    [
      'an index OpenSearch refuses',
      [{ index: 'Users' }],
      'mirrors has at [0].index a value that is not a valid OpenSearch index name: it must be lowercase, got "Users"',
    ],
    [
      'the same index twice',
      [{ index: 'users' }, { index: 'users' }],
      'mirrors has at [1].index a value that makes the index users, which the mirror users makes too',
    ],
    ['an index another makes', [{ index: 'users' }, { index: 'users-v1' }], 'makes the index users-v1, which the mirror users makes too'],
    ['a misspelt key', [{ index: 'users', exlude: ['a'] }], 'has the key exlude, which is none of index, match, include'],
    [
      'a match of no form',
      [{ index: 'users', match: { attribute: 'type' } }],
      'at [0].match a value that must be one of {"attribute", "equals"}',
    ],
    ['a match of two forms', [{ index: 'users', match: { attribute: 'type', equals: 'a', beginsWith: 'b' } }], 'must be one of'],
    [
      'an empty any',
      [{ index: 'users', match: { any: [] } }],
      'at [0].match.any a value that must be a list of match conditions (at least 1)',
    ],
    [
      'a bad path deep in a match',
      [{ index: 'u', match: { all: [{ attribute: 'a..b', equals: 1 }] } }],
      'at [0].match.all[0].attribute a value that is not an attribute path',
    ],
    [
      'a prefix that is no text',
      [{ index: 'u', match: { attribute: 'pk', beginsWith: 1 } }],
      'at [0].match.beginsWith a value that must be text',
    ],
    ['an object to equal', [{ index: 'u', match: { attribute: 'pk', equals: { S: 'x' } } }], 'must be text, a number, true, false or null'],
    [
      'a whole number JSON cannot hold exactly',
      [{ index: 'u', match: { attribute: 'n', equals: JSON.parse('12345678901234567890123') as number } }],
      'at [0].match.equals a value that must be a number a double holds exactly',
    ],
    ['an empty include', [{ index: 'u', include: [] }], 'at [0].include a value that must be a list of attribute paths'],
    ['a bad exclude path', [{ index: 'u', exclude: ['ok', 'a.'] }], 'at [0].exclude[1] a value that is not an attribute path'],
    ['two renames to one name', [{ index: 'u', rename: { a: 'c', b: 'c' } }], 'renames two paths to c'],
    [
      'a field type not allowed',
      [{ index: 'u', fields: { at: 'datetime' } }],
      'at [0].fields.at a value that is not a field type: one of date, keyword, text, long, double, boolean, geo_point, got "datetime"',
    ],
    [
      'a field declared inside another declared field',
      [{ index: 'u', fields: { address: 'keyword', 'address.city': 'keyword' } }],
      'at [0].fields a value that declares address and address.city, a path inside it: a field is a value or an object, not both',
    ],
    [
      'a field declared inside another through a dotted name',
      [{ index: 'u', fields: { 'geo\\.at': 'geo_point', geo: 'keyword' } }],
      'declares geo and geo\\.at, a path inside it',
    ],
    [
      'an unknown operation',
      [{ index: 'u', operations: ['INSERT', 'DELETE'] }],
      'at [0].operations[1] a value that is not one of INSERT, MODIFY, REMOVE, got "DELETE"',
    ],
    ['no operation', [{ index: 'u', operations: [] }], 'at [0].operations a value that must be a list of operations'],
    [
      'a transform without export',
      [{ index: 'u', transform: 'transforms/t.ts' }],
      'at [0].transform a value that must be "<module path>#<export>"',
    ],
  ])('refuses %s, naming where, the value and what is allowed', (_, value, message) => {
    expect(refusal(value)).toContain(message);
  });
});

describe('the changeLog setting', () => {
  it('takes operations and paths to exclude', () => {
    expect(changeLogRule.check('changeLog', '{"operations":["INSERT","MODIFY"],"exclude":["ssn"]}')).toEqual({
      operations: ['INSERT', 'MODIFY'],
      exclude: ['ssn'],
    });
    expect(changeLogRule.check('changeLog', {})).toEqual({});
  });

  it.each<[unknown, string]>([
    [{ exclude: 'ssn' }, 'changeLog has at .exclude a value that must be a list of attribute paths'],
    [{ operations: ['REMOVE', 'REMOVE'] }, 'names an operation twice'],
    [{ filter: [] }, 'has the key filter, which is none of operations, exclude'],
    [[], 'changeLog must be an object'],
  ])('refuses %j', (value, message) => {
    expect(() => changeLogRule.check('changeLog', value)).toThrow(message);
  });
});

describe('the demo table keys', () => {
  it.each([
    ['id', { name: 'id', type: 'S' }],
    ['pk:S', { name: 'pk', type: 'S' }],
    ['n:N', { name: 'n', type: 'N' }],
    ['b:B', { name: 'b', type: 'B' }],
    ['a:b', { name: 'a:b', type: 'S' }],
  ])('reads %s', (text, attribute) => {
    expect(keyAttributeRule.check('partitionKey', text)).toBe(text);
    expect(parseKeyAttribute(text, 'partitionKey')).toEqual(attribute);
  });

  it.each(['', '   ', 7])('refuses %j', (value) => {
    expect(() => keyAttributeRule.check('sortKey', value)).toThrow(/^sortKey must be an attribute name/);
  });
});

describe('the routing settings in the function', () => {
  const base = { openSearchEndpoint: 'http://localhost:9200', mirrorIndex: 'test-table', keySchema: 'pk,sk' };

  it('are absent when not given: one mirror takes every item, and the environment is as before', () => {
    const settings = resolveFunctionSettings(base);
    expect(settings.routing).toBeUndefined();
    expect(mirrorRoutes(settings)).toEqual([{ index: 'test-table' }]);
    expect(Object.keys(toFunctionEnvironment(settings))).not.toEqual(expect.arrayContaining(['MIRRORS']));
  });

  it('travel in the environment and are read back as written', () => {
    const settings = resolveFunctionSettings({ ...base, mirrors: valid, changeLog: { exclude: ['ssn'] } });
    const environment = toFunctionEnvironment(settings);
    expect(JSON.parse(environment.MIRRORS)).toEqual(valid);
    expect(fromFunctionEnvironment(environment)).toEqual(settings);
    expect(mirrorRoutes(settings)).toEqual(valid);
  });

  it("refuses a mirror that takes the change log's names", () => {
    expect(() => resolveFunctionSettings({ ...base, mirrors: [{ index: 'dynamodb-cdc' }] })).toThrow(
      'changeLogIndex must differ from the indexes of mirrors (mirror dynamodb-cdc: the mirror alias), got "dynamodb-cdc"',
    );
    expect(() => resolveFunctionSettings({ ...base, mirrors: [{ index: 'dynamodb-cdc-2024.01.01' }] })).toThrow(
      /^mirrors makes an index \(dynamodb-cdc-2024.01.01\) that matches dynamodb-cdc-\*\.\*\.\*/,
    );
  });

  it('refuses excluding a key attribute from the change log', () => {
    expect(() => resolveFunctionSettings({ ...base, changeLog: { exclude: ['sk.part'] } })).toThrow(
      'changeLog excludes sk.part, a key attribute of the table',
    );
  });

  it("refuses an environment above Lambda's 4 KB, naming the setting that takes the room", () => {
    const many = Array.from({ length: 60 }, (_, at) => ({ index: `mirror-number-${at}`, match: { attribute: 'type', equals: `t${at}` } }));
    const settings = resolveFunctionSettings({ ...base, mirrors: many });
    expect(() => toFunctionEnvironment(settings)).toThrow(
      /^mirrors takes \d+ bytes of the function's environment, which would hold \d+ bytes, above Lambda's limit of 4096/,
    );
    expect(() => toFunctionEnvironment(resolveFunctionSettings({ ...base, mirrors: many.slice(0, 20) }))).not.toThrow();
  });
});

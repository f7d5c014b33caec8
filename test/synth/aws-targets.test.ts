/**
 * The stack on target `aws`, one variant per OpenSearch kind: what the function is told (its
 * environment), what it may do (IAM, data-access policy), the guards, data protection, alarms,
 * the maintenance schedule, and the AWS Solutions checks of cdk-nag on every variant.
 */
import { App, Duration, Stack, type Environment } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readAppSettings } from '../../lib/app-settings';
import { CdcOpenSearchDomain } from '../../lib/cdc-opensearch-domain';
import { CdcStack } from '../../lib/cdc-stack';
import { DynamoDbOpenSearchCdc } from '../../lib/dynamodb-opensearch-cdc';
import { OpenSearchTarget } from '../../lib/opensearch-target';
import { ValidationError } from '../../lib/validation-error';
import { MAINTENANCE_EVENT } from '../../lambda/settings/maintenance-event';

const cdkJson = require('../../cdk.json');

const DOMAIN_ARN = 'arn:aws:es:eu-west-1:123456789012:domain/orders';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:opensearch-AbCdEf';
const COLLECTION_ARN = 'arn:aws:aoss:eu-west-1:123456789012:collection/abc123';
const OPERATOR_ARNS = ['arn:aws:iam::123456789012:role/cdc-operator', 'arn:aws:iam::123456789012:role/team/on-call'];
const SECURITY_API_PATHS = [
  '_plugins/_security/api/roles/dynamodb-cdc-operator',
  '_plugins/_security/api/rolesmapping/dynamodb-cdc-operator',
];

/** The context of each aws variant, as given with -c on the command line. */
const VARIANTS: Record<string, Record<string, unknown>> = {
  domain: { openSearch: 'domain', openSearchEndpoint: 'https://search-orders.eu-west-1.es.amazonaws.com', openSearchDomainArn: DOMAIN_ARN },
  serverless: {
    openSearch: 'serverless',
    openSearchEndpoint: 'https://abc123.eu-west-1.aoss.amazonaws.com',
    openSearchCollectionArn: COLLECTION_ARN,
    openSearchCollectionName: 'cdc-items',
  },
  basicAuth: {
    openSearch: 'basicAuth',
    openSearchEndpoint: 'https://search.example.com',
    openSearchSecretArn: SECRET_ARN,
    alarmEmail: 'ops@example.com',
  },
  newDomain: { openSearch: 'newDomain' },
  newDomainInNewVpc: { openSearch: 'newDomain', openSearchVpc: 'new' },
  newDomainInExistingVpc: { openSearch: 'newDomain', openSearchVpc: 'vpc-0123456789abcdef0' },
  newDomainWithOperators: { openSearch: 'newDomain', openSearchOperatorRoleArn: `${OPERATOR_ARNS[0]},${OPERATOR_ARNS[1]}` },
};
const ENV: Environment = { account: '123456789012', region: 'eu-west-1' };

/** What `cdk synth` would have cached from the VPC lookup of newDomainInExistingVpc (cdk.context.json). */
const VPC_LOOKUP = {
  'vpc-provider:account=123456789012:filter.vpc-id=vpc-0123456789abcdef0:region=eu-west-1:returnAsymmetricSubnets=true': {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.0.0.0/16',
    ownerAccountId: '123456789012',
    availabilityZones: [],
    subnetGroups: [
      {
        name: 'Private',
        type: 'Private',
        subnets: ['a', 'b'].map((zone, at) => ({
          subnetId: `subnet-0000000000000000${at}`,
          cidr: `10.0.${at}.0/24`,
          availabilityZone: `eu-west-1${zone}`,
          routeTableId: `rtb-0000000000000000${at}`,
        })),
      },
    ],
  },
};

function stackOf(context: Record<string, unknown>, env?: Environment): CdcStack {
  const app = new App({ context: { ...cdkJson.context, ...VPC_LOOKUP, ...context } });
  return new CdcStack(app, 'DynamoDbOpenSearchCdcStack', { config: readAppSettings((key) => app.node.tryGetContext(key)), env });
}

function aws(variant: keyof typeof VARIANTS, extra: Record<string, unknown> = {}): CdcStack {
  return stackOf({ target: 'aws', ...VARIANTS[variant], ...extra }, variant === 'newDomainInExistingVpc' ? ENV : undefined);
}

const templates = new Map<string, Template>();
function template(variant: keyof typeof VARIANTS): Template {
  if (!templates.has(variant)) templates.set(variant, Template.fromStack(aws(variant)));
  return templates.get(variant)!;
}

function environment(t: Template): Record<string, unknown> {
  const [fn] = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'dynamodb-cdc-handler' } })) as any[];
  return fn.Properties.Environment.Variables;
}

/** Every statement of the function role's policy. */
function roleStatements(t: Template): any[] {
  const policies = t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^CdcHandlerRole') }] } });
  return Object.values(policies).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
}

/** The domain paths (the domain's ARN as `<domain>` when it is a token) each es: action is allowed on. */
function esGrants(t: Template): Record<string, string[]> {
  const stack = new Stack();
  const grants: Record<string, string[]> = {};
  for (const statement of roleStatements(t)) {
    const actions = ([] as string[]).concat(statement.Action).filter((action) => action.startsWith('es:'));
    if (actions.length === 0) continue;
    const resources = ([] as unknown[])
      .concat(statement.Resource)
      .map((resource) => (typeof resource === 'string' ? resource : stack.resolve(resource)))
      .map((resource: any) =>
        typeof resource === 'string'
          ? resource
          : resource['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : '<domain>')).join(''),
      );
    for (const action of actions) grants[action] = [...(grants[action] ?? []), ...resources].sort();
  }
  return grants;
}

const TEMPLATES = [
  '_index_template/cdc-change-log-partitions-dynamodb-cdc',
  '_index_template/cdc-change-log-dynamodb-cdc',
  '_index_template/cdc-mirror-test-table',
  '_index_template/cdc-tombstones-test-table',
  '_index_template/cdc-dead-letter-dynamodb-cdc-deadletter',
];

/** Each method on exactly the paths the function requests with it. */
const OWN_GRANTS: Record<string, string[]> = {
  'es:ESHttpHead': ['dynamodb-cdc', '_alias/dynamodb-cdc', 'dynamodb-cdc-????.??.??'],
  'es:ESHttpGet': ['test-table-v1', '_cat/indices/dynamodb-cdc-*'],
  'es:ESHttpPut': [
    ...TEMPLATES,
    'dynamodb-cdc',
    'dynamodb-cdc-????.??.??',
    'test-table-v1',
    'test-table-tombstones',
    'dynamodb-cdc-deadletter',
  ],
  'es:ESHttpPost': ['_bulk', '_mget', 'test-table-tombstones/_search', '_search/scroll'],
  'es:ESHttpDelete': ['dynamodb-cdc-????.??.??', '_search/scroll'],
};

describe('target aws, an existing domain given by endpoint and ARN (context openSearch=domain)', () => {
  it('signs requests with SigV4 for es in the domain region', () => {
    expect(environment(template('domain'))).toMatchObject({
      OPENSEARCH_ENDPOINT: 'https://search-orders.eu-west-1.es.amazonaws.com',
      OPENSEARCH_AUTH: 'sigv4',
      OPENSEARCH_SIGNING_SERVICE: 'es',
      OPENSEARCH_REGION: 'eu-west-1',
    });
  });

  it('allows each es:ESHttp method on exactly the paths the function requests with it, nothing else of the domain', () => {
    const expected = Object.fromEntries(
      Object.entries(OWN_GRANTS).map(([action, paths]) => [action, paths.map((path) => `${DOMAIN_ARN}/${path}`).sort()]),
    );
    expect(esGrants(template('domain'))).toEqual(expected);
  });

  it('deletes only change-log partitions (never the default dead-letter index) and its own scroll, never another index, _bulk or a template', () => {
    const deletes = esGrants(template('domain'))['es:ESHttpDelete'];
    expect(deletes).toEqual([`${DOMAIN_ARN}/_search/scroll`, `${DOMAIN_ARN}/dynamodb-cdc-????.??.??`]);
    // IAM's `?` is one character: `deadletter` has no dots where a date has them.
    expect(deletes.some((pattern) => iamPatternAllows(pattern, `${DOMAIN_ARN}/dynamodb-cdc-deadletter`))).toBe(false);
    expect(deletes.some((pattern) => iamPatternAllows(pattern, `${DOMAIN_ARN}/dynamodb-cdc-2026.12.03`))).toBe(true);
  });
});

/** IAM's reading of a resource pattern: `*` any run of characters, `?` one. */
function iamPatternAllows(pattern: string, resource: string): boolean {
  const expression = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${expression}$`).test(resource);
}

describe('target aws with routed mirrors (context mirrors)', () => {
  const MIRRORS = [{ index: 'users' }, { index: 'orders' }];
  const names = (kind: 'backing' | 'tombstones' | 'template') =>
    MIRRORS.flatMap(({ index }) =>
      kind === 'backing'
        ? [`${index}-v1`]
        : kind === 'tombstones'
          ? [`${index}-tombstones`]
          : [`_index_template/cdc-mirror-${index}`, `_index_template/cdc-tombstones-${index}`],
    );

  it("allows each method on every mirror's indexes and templates, and nothing of mirrorIndex it does not list", () => {
    const grants = esGrants(Template.fromStack(aws('domain', { mirrors: MIRRORS })));
    const paths = (action: string) => grants[action].map((path) => path.slice(DOMAIN_ARN.length + 1));
    expect(paths('es:ESHttpGet')).toEqual([...names('backing'), '_cat/indices/dynamodb-cdc-*'].sort());
    expect(paths('es:ESHttpPut')).toEqual(
      [
        ...TEMPLATES.filter((path) => !path.includes('test-table')),
        ...names('template'),
        'dynamodb-cdc',
        'dynamodb-cdc-????.??.??',
        ...names('backing'),
        ...names('tombstones'),
        'dynamodb-cdc-deadletter',
      ].sort(),
    );
    expect(paths('es:ESHttpPost')).toEqual(
      ['_bulk', '_mget', ...names('tombstones').map((index) => `${index}/_search`), '_search/scroll'].sort(),
    );
    expect(JSON.stringify(grants)).not.toContain('test-table');
  });

  it("grants a serverless collection every mirror's alias, backing index and tombstones", () => {
    const policies = Template.fromStack(aws('serverless', { mirrors: MIRRORS })).findResources('AWS::OpenSearchServerless::AccessPolicy');
    const text = JSON.stringify(Object.values(policies)[0]);
    for (const index of ['users', 'users-v1', 'users-tombstones', 'orders', 'orders-v1', 'orders-tombstones'])
      expect(text).toContain(`index/cdc-items/${index}\\"`);
    expect(text).not.toContain('test-table');
  });
});

describe('the construct given an IDomain', () => {
  function withDomain() {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-central-1' } });
    const table = new dynamodb.Table(stack, 'T', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    const domain = opensearch.Domain.fromDomainAttributes(stack, 'D', {
      domainArn: 'arn:aws:es:eu-central-1:123456789012:domain/shop',
      domainEndpoint: 'https://search-shop-abc.eu-central-1.es.amazonaws.com',
    });
    const cdc = new DynamoDbOpenSearchCdc(stack, 'Cdc', {
      table,
      mirrorIndex: 'orders',
      openSearch: OpenSearchTarget.domain(domain),
      monitoring: false,
      maintenance: false,
    });
    return { cdc, t: Template.fromStack(stack) };
  }

  it('writes to the domain endpoint over https, signed for es in the domain region', () => {
    const { cdc, t } = withDomain();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          OPENSEARCH_ENDPOINT: 'https://search-shop-abc.eu-central-1.es.amazonaws.com',
          OPENSEARCH_AUTH: 'sigv4',
          OPENSEARCH_SIGNING_SERVICE: 'es',
          OPENSEARCH_REGION: 'eu-central-1',
        }),
      },
    });
    expect(cdc.domain).toBeDefined();
  });

  it('grants the function its own indexes of that domain only', () => {
    const { t } = withDomain();
    const resources = roleStatements(t)
      .filter((s) => String(s.Action).includes('es:') || [].concat(s.Action).some((a: string) => a.startsWith('es:')))
      .flatMap((s) => s.Resource);
    expect(resources).toEqual(
      expect.arrayContaining([
        'arn:aws:es:eu-central-1:123456789012:domain/shop/orders-v1',
        'arn:aws:es:eu-central-1:123456789012:domain/shop/dynamodb-cdc-????.??.??',
      ]),
    );
    for (const resource of resources)
      expect(resource).toMatch(
        /^arn:aws:es:eu-central-1:123456789012:domain\/shop\/(dynamodb-cdc|orders|_bulk|_mget|_alias\/dynamodb-cdc|_cat\/indices\/dynamodb-cdc-|_search\/scroll$|_index_template\/cdc-)/,
      );
  });
});

describe('target aws, an OpenSearch Serverless collection (context openSearch=serverless)', () => {
  it('signs requests with SigV4 for aoss', () => {
    expect(environment(template('serverless'))).toMatchObject({
      OPENSEARCH_AUTH: 'sigv4',
      OPENSEARCH_SIGNING_SERVICE: 'aoss',
      OPENSEARCH_REGION: 'eu-west-1',
    });
  });

  it('gives the role aoss:APIAccessAll on that collection only', () => {
    const aossStatements = roleStatements(template('serverless')).filter((s) => String(s.Action).startsWith('aoss:'));
    expect(aossStatements).toEqual([expect.objectContaining({ Action: 'aoss:APIAccessAll', Resource: COLLECTION_ARN })]);
  });

  it('creates a data-access policy granting the role index permissions on the function indexes only', () => {
    const policies = template('serverless').findResources('AWS::OpenSearchServerless::AccessPolicy');
    expect(Object.keys(policies)).toHaveLength(1);
    const policy = Object.values(policies)[0] as any;
    expect(policy.Properties.Type).toBe('data');
    expect(policy.Properties.Name).toMatch(/^[a-z][a-z0-9-]{2,31}$/);
    // The policy is JSON with the role ARN joined in: put a placeholder where the ARN goes.
    const json = JSON.parse(
      policy.Properties.Policy['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'ROLE_ARN')).join(''),
    );
    expect(json).toEqual([
      {
        Description: expect.any(String),
        Rules: [
          {
            ResourceType: 'index',
            Resource: [
              'dynamodb-cdc',
              'dynamodb-cdc-*',
              'test-table',
              'test-table-v1',
              'test-table-tombstones',
              'dynamodb-cdc-deadletter',
            ].map((index) => `index/cdc-items/${index}`),
            Permission: [
              'aoss:CreateIndex',
              'aoss:DescribeIndex',
              'aoss:UpdateIndex',
              'aoss:DeleteIndex',
              'aoss:ReadDocument',
              'aoss:WriteDocument',
            ],
          },
          {
            ResourceType: 'collection',
            Resource: ['collection/cdc-items'],
            Permission: ['aoss:DescribeCollectionItems', 'aoss:CreateCollectionItems', 'aoss:UpdateCollectionItems'],
          },
        ],
        Principal: ['ROLE_ARN'],
      },
    ]);
    expect(JSON.stringify(policy.Properties.Policy)).toMatch(/CdcHandlerRole.*Arn/);
  });
});

describe('target aws, a self-managed cluster with basic auth (context openSearch=basicAuth)', () => {
  it('puts only the secret ARN in the environment', () => {
    expect(environment(template('basicAuth'))).toMatchObject({
      OPENSEARCH_AUTH: 'basic',
      OPENSEARCH_SECRET_ARN: SECRET_ARN,
      OPENSEARCH_ENDPOINT: 'https://search.example.com',
    });
  });

  it('lets the function read that secret and no other (the ARN as given, complete, or partial with its suffix)', () => {
    const secretStatements = roleStatements(template('basicAuth')).filter((s) => String(s.Action).startsWith('secretsmanager:'));
    expect(secretStatements).toEqual([
      expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: [SECRET_ARN, `${SECRET_ARN}-??????`] }),
    ]);
  });

  it('never resolves the secret value into the template', () => {
    const json = JSON.stringify(template('basicAuth').toJSON());
    expect(json).not.toMatch(/resolve:secretsmanager|SecretString|password/i);
  });
});

describe('target aws, a new domain made by the stack (context openSearch=newDomain)', () => {
  it('enforces HTTPS with TLS 1.2, encrypts at rest and between nodes, maps the function role as master user', () => {
    template('newDomain').hasResourceProperties('AWS::OpenSearchService::Domain', {
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-2019-07' },
      EncryptionAtRestOptions: { Enabled: true },
      NodeToNodeEncryptionOptions: { Enabled: true },
      AdvancedSecurityOptions: {
        Enabled: true,
        InternalUserDatabaseEnabled: false,
        MasterUserOptions: { MasterUserARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CdcHandlerRole'), 'Arn'] } },
      },
      ClusterConfig: Match.objectLike({ InstanceCount: 2, InstanceType: 't3.small.search', ZoneAwarenessEnabled: true }),
      LogPublishingOptions: Match.objectLike({
        ES_APPLICATION_LOGS: Match.objectLike({ Enabled: true }),
        SEARCH_SLOW_LOGS: Match.objectLike({ Enabled: true }),
      }),
    });
  });

  it('has a resource policy naming only the function role, and keeps the domain when the stack goes', () => {
    const t = template('newDomain');
    const [domain] = Object.values(t.findResources('AWS::OpenSearchService::Domain')) as any[];
    expect(domain.DeletionPolicy).toBe('Retain');
    expect(domain.Properties.AccessPolicies.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^CdcHandlerRole/), 'Arn'] } },
        Action: 'es:ESHttp*',
      }),
    ]);
    expect(JSON.stringify(t.toJSON())).not.toMatch(/Custom::OpenSearchAccessPolicy|Custom::CloudwatchLogResourcePolicy/);
  });

  it('signs for es and writes to the new domain endpoint', () => {
    const env = environment(template('newDomain'));
    expect(env).toMatchObject({ OPENSEARCH_AUTH: 'sigv4', OPENSEARCH_SIGNING_SERVICE: 'es' });
    expect(JSON.stringify(env.OPENSEARCH_ENDPOINT)).toMatch(/https:\/\/.*CdcOpenSearchDomain.*DomainEndpoint/);
  });

  it.each(['newDomainInNewVpc', 'newDomainInExistingVpc'] as const)(
    '%s: puts domain and function in private subnets, 443 open from the function only',
    (variant) => {
      const t = template(variant);
      t.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'dynamodb-cdc-handler',
        VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: [Match.anyValue()] },
      });
      t.hasResourceProperties('AWS::OpenSearchService::Domain', {
        VPCOptions: { SubnetIds: Match.anyValue(), SecurityGroupIds: [Match.anyValue()] },
      });
      const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')) as any[];
      expect(ingress).toHaveLength(1);
      expect(ingress[0].Properties).toMatchObject({
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/FunctionSecurityGroup/), 'GroupId'] },
      });
      expect(JSON.stringify(t.findResources('AWS::EC2::SecurityGroup'))).not.toMatch(/0\.0\.0\.0\/0/);
    },
  );
});

describe('target aws, a new domain with operator roles (context openSearchOperatorRoleArn)', () => {
  /** The function role's statements on the security API, with their paths after the domain ARN. */
  function securityApiGrants(t: Template): { actions: string[]; paths: string[] }[] {
    return roleStatements(t)
      .filter((statement) => JSON.stringify(statement.Resource).includes('_plugins/_security'))
      .map((statement) => ({
        actions: [].concat(statement.Action),
        paths: [].concat(statement.Resource).map((resource: any) => JSON.stringify(resource).match(/\/(_plugins[^"]*)/)![1]),
      }));
  }

  it('names the operator roles in the resource policy, beside the function role', () => {
    const [domain] = Object.values(template('newDomainWithOperators').findResources('AWS::OpenSearchService::Domain')) as any[];
    expect(domain.Properties.AccessPolicies.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: [{ 'Fn::GetAtt': [expect.stringMatching(/^CdcHandlerRole/), 'Arn'] }, ...OPERATOR_ARNS] },
        Action: 'es:ESHttp*',
      }),
    ]);
  });

  it('gives the function the operator roles to map, and nothing of them without (context or default)', () => {
    expect(environment(template('newDomainWithOperators'))).toMatchObject({ OPENSEARCH_OPERATOR_ROLE_ARNS: OPERATOR_ARNS.join(',') });
    expect(environment(template('newDomain'))).not.toHaveProperty('OPENSEARCH_OPERATOR_ROLE_ARNS');
  });

  it('grants the function PUT on the operator role and its mapping only with operator roles, and no other security API path', () => {
    expect(securityApiGrants(template('newDomainWithOperators'))).toEqual([{ actions: ['es:ESHttpPut'], paths: SECURITY_API_PATHS }]);
    expect(securityApiGrants(template('newDomain'))).toEqual([]);
  });

  it.each([
    ['a user ARN', 'arn:aws:iam::123456789012:user/bob'],
    ['a wildcard', 'arn:aws:iam::123456789012:role/*'],
    ['an account of 4 digits', 'arn:aws:iam::1234:role/ops'],
  ])('refuses %s, naming the context key and the value', (_case, value) => {
    expect(() => aws('newDomain', { openSearchOperatorRoleArn: value })).toThrow(
      `CDK context "openSearchOperatorRoleArn" must be the ARN of an IAM role (arn:aws:iam::account:role/name, or role/path/name), got "${value}"`,
    );
  });

  it('refuses operator roles with another kind of OpenSearch, saying to map them in its own access control', () => {
    expect(() => aws('domain', { openSearchOperatorRoleArn: OPERATOR_ARNS[0] })).toThrow(
      /"openSearchOperatorRoleArn" applies with openSearch=newDomain only .* not with openSearch=domain/,
    );
  });

  describe('in the construct (OpenSearchTarget.newDomain({ operatorRoles }))', () => {
    function withOperatorRoles(arns: string[]): Stack {
      const stack = new Stack(new App(), 'S');
      const table = new dynamodb.Table(stack, 'T', {
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      });
      const operatorRoles = arns.map((arn, at) => iam.Role.fromRoleArn(stack, `Operator${at}`, arn, { mutable: false }));
      new DynamoDbOpenSearchCdc(stack, 'Cdc', { table, mirrorIndex: 'orders', openSearch: OpenSearchTarget.newDomain({ operatorRoles }) });
      return stack;
    }

    it('names them in the resource policy and the environment, and grants the security API paths', () => {
      const t = Template.fromStack(withOperatorRoles(OPERATOR_ARNS));
      const [domain] = Object.values(t.findResources('AWS::OpenSearchService::Domain')) as any[];
      expect(domain.Properties.AccessPolicies.Statement[0].Principal.AWS).toEqual([expect.anything(), ...OPERATOR_ARNS]);
      const [fn] = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } })) as any[];
      expect(fn.Properties.Environment.Variables.OPENSEARCH_OPERATOR_ROLE_ARNS).toBe(OPERATOR_ARNS.join(','));
      expect(JSON.stringify(t.toJSON())).toContain('_plugins/_security/api/rolesmapping/');
    });

    it('a role made in the app (its ARN a token) is mapped by its deploy-time ARN', () => {
      const stack = new Stack(new App(), 'S');
      const table = new dynamodb.Table(stack, 'T', {
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      });
      const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
      new DynamoDbOpenSearchCdc(stack, 'Cdc', {
        table,
        mirrorIndex: 'orders',
        openSearch: OpenSearchTarget.newDomain({ operatorRoles: [operator] }),
      });
      const [fn] = Object.values(
        Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }),
      ) as any[];
      expect(fn.Properties.Environment.Variables.OPENSEARCH_OPERATOR_ROLE_ARNS).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^Operator/), 'Arn'],
      });
    });

    it('refuses an ARN that is not a role, a ValidationError naming the prop and the value', () => {
      const create = () => withOperatorRoles(['arn:aws:iam::123456789012:user/bob']);
      expect(create).toThrow(ValidationError);
      expect(create).toThrow(/operatorRoles must be the ARN of an IAM role .*got "arn:aws:iam::123456789012:user\/bob"/);
    });

    it('CdcOpenSearchDomain on its own refuses it too, naming its prop operatorRoles and the value', () => {
      const stack = new Stack(new App(), 'S');
      const operatorRoles = [iam.Role.fromRoleArn(stack, 'Operator', 'arn:aws:iam::123456789012:user/bob', { mutable: false })];
      const masterRole = new iam.Role(stack, 'Master', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      const create = () => new CdcOpenSearchDomain(stack, 'Domain', { masterRole, operatorRoles });
      const error = (() => {
        try {
          create();
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(
        /^S\/Domain: operatorRoles must be the ARN of an IAM role .*got "arn:aws:iam::123456789012:user\/bob"/,
      );
    });
  });
});

describe('guards outside the local target', () => {
  it.each([
    [
      { openSearchEndpoint: 'http://search.example.com' },
      /"openSearchEndpoint" must use https outside a local target.*-c allowInsecureOpenSearch=true.*got "http:\/\/search.example.com"/,
    ],
    [
      { openSearchEndpoint: 'https://search.example.com' },
      /"openSearchEndpoint" has no authentication .*-c allowInsecureOpenSearch=true.*got "https:\/\/search.example.com"/,
    ],
    [{ openSearchEndpoint: 'http://localhost:9200' }, /"openSearchEndpoint" must use https outside a local target/],
    [{ ...VARIANTS.domain, openSearchEndpoint: 'http://search-orders.eu-west-1.es.amazonaws.com' }, /"openSearchEndpoint" must use https/],
    [
      { openSearchEndpoint: 'https://admin:secret@search.example.com', allowInsecureOpenSearch: true },
      /"openSearchEndpoint" must not contain credentials.*"https:\/\/\*\*\*@search.example.com"/,
    ],
    [{ ...VARIANTS.domain, removalPolicy: 'destroy' }, /"removalPolicy" must be retain on target aws/],
    [{ openSearch: 'domain' }, /"openSearchDomainArn" is required with openSearch=domain/],
    [
      { ...VARIANTS.domain, openSearchDomainArn: 'arn:aws:s3:::bucket' },
      /"openSearchDomainArn" must be the ARN of an OpenSearch Service domain/,
    ],
    [
      { openSearch: 'basicAuth', openSearchEndpoint: 'https://search.example.com' },
      /"openSearchSecretArn" is required with openSearch=basicAuth/,
    ],
    [{ openSearch: 'elastic' }, /"openSearch" must be one of endpoint, domain, serverless, basicAuth, newDomain, got "elastic"/],
    [{ target: 'prod' }, /"target" must be one of local, aws, got "prod"/],
  ])('refuses %j, naming the setting and the value', (context, message) => {
    expect(() => stackOf({ target: 'aws', ...context })).toThrow(message);
  });

  it('allows an http, unauthenticated endpoint on aws with -c allowInsecureOpenSearch=true', () => {
    const t = Template.fromStack(
      stackOf({ target: 'aws', openSearchEndpoint: 'http://search.internal:9200', allowInsecureOpenSearch: 'true' }),
    );
    expect(environment(t)).toMatchObject({ OPENSEARCH_ENDPOINT: 'http://search.internal:9200', OPENSEARCH_AUTH: 'none' });
  });

  it('allows plain http without authentication on the local target (the default names and settings)', () => {
    expect(environment(Template.fromStack(stackOf({})))).toMatchObject({
      OPENSEARCH_ENDPOINT: 'http://localhost:9200',
      OPENSEARCH_AUTH: 'none',
    });
  });

  describe('in the construct', () => {
    function create(props: Partial<ConstructorParameters<typeof DynamoDbOpenSearchCdc>[2]>) {
      const stack = new Stack(new App());
      const table = new dynamodb.Table(stack, 'T', {
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      });
      return () => new DynamoDbOpenSearchCdc(stack, 'Cdc', { table, mirrorIndex: 'm', monitoring: false, maintenance: false, ...props });
    }

    it.each([
      [
        { openSearch: OpenSearchTarget.endpoint('http://search.internal:9200') },
        /openSearch \(endpoint\) must use https .*allowInsecureEndpoint: true.*got "http:\/\/search.internal:9200"/,
      ],
      [{ openSearch: OpenSearchTarget.endpoint('https://search.example.com') }, /openSearch \(endpoint\) has no authentication/],
      [{ openSearchEndpoint: 'https://search.example.com' }, /openSearchEndpoint has no authentication/],
      [
        { openSearch: OpenSearchTarget.domainEndpoint('http://search-x.eu-west-1.es.amazonaws.com', DOMAIN_ARN) },
        /openSearch \(domainEndpoint\) must use https/,
      ],
      [{}, /openSearch is required/],
      [
        { openSearch: OpenSearchTarget.domainEndpoint('https://search-x.eu-west-1.es.amazonaws.com', 'arn:aws:es:eu-west-1:123:domain/x') },
        /openSearch \(domain ARN\) must be the ARN of an OpenSearch Service domain/,
      ],
    ])('refuses %j with a ValidationError naming the prop', (props, message) => {
      expect(create(props)).toThrow(ValidationError);
      expect(create(props)).toThrow(message);
    });

    it('accepts them with allowInsecureEndpoint: true, and a loopback endpoint without it', () => {
      expect(create({ openSearch: OpenSearchTarget.endpoint('http://search.internal:9200'), allowInsecureEndpoint: true })).not.toThrow();
      expect(create({ openSearchEndpoint: 'http://localhost:9200' })).not.toThrow();
      expect(create({ openSearchEndpoint: 'http://127.0.0.1:9200' })).not.toThrow();
    });
  });
});

describe('data protection', () => {
  it('on aws keeps the table (point-in-time recovery, deletion protection), the queue and the logs', () => {
    const t = template('domain');
    t.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
    t.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain' });
    t.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ LogGroupName: '/aws/lambda/dynamodb-cdc-handler' }),
    });
  });

  it('refuses requests to the dead-letter queue that are not over TLS', () => {
    template('domain').hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('destroys only on the local target, when asked (removalPolicy=destroy)', () => {
    const t = Template.fromStack(stackOf({ removalPolicy: 'destroy' }));
    for (const type of ['AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup'])
      t.hasResource(type, { DeletionPolicy: 'Delete' });
  });

  it('lets the function write to its own log group only, with no AWS managed policy', () => {
    const t = template('domain');
    const logStatements = roleStatements(t).filter((s) => String(s.Action).includes('logs:'));
    expect(logStatements).toEqual([
      expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^CdcLogGroup/), 'Arn'] },
      }),
    ]);
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: Match.anyValue(), ManagedPolicyArns: Match.absent() });
  });
});

describe('observability', () => {
  const alarms = (t: Template) => Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((alarm: any) => alarm.Properties);

  it('on aws alarms on iterator age, end-to-end lag, the queue, dead-lettered records, errors, throttles and a failed maintenance', () => {
    const found = alarms(template('domain'));
    const byMetric = Object.fromEntries(found.map((alarm) => [`${alarm.Namespace}/${alarm.MetricName}`, alarm]));
    expect(Object.keys(byMetric).sort()).toEqual(
      [
        'AWS/Lambda/IteratorAge',
        'AWS/Lambda/Errors',
        'AWS/Lambda/Throttles',
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
        'DynamoDbOpenSearchCdc/DeadLettered',
        'DynamoDbOpenSearchCdc/EndToEndLag',
        'DynamoDbOpenSearchCdc/MaintenanceFailed',
      ].sort(),
    );
    expect(byMetric['DynamoDbOpenSearchCdc/MaintenanceFailed']).toMatchObject({ Statistic: 'Sum', Period: 3600, Threshold: 1 });
    expect(byMetric['AWS/Lambda/IteratorAge']).toMatchObject({ Statistic: 'Maximum', Threshold: 300000 });
    expect(byMetric['DynamoDbOpenSearchCdc/DeadLettered'].Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'service', Value: 'dynamodb-cdc' },
        { Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^CdcHandler/) } },
      ]),
    );
    template('domain').resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('draws throughput, lag, dead letters and errors on the dashboard', () => {
    const [dashboard] = Object.values(template('domain').findResources('AWS::CloudWatch::Dashboard')) as any[];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of [
      'RecordsReceived',
      'ChangeLogWritten',
      'MirrorWritten',
      'IteratorAge',
      'EndToEndLag',
      'DeadLettered',
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Throttles',
    ]) {
      expect(body).toContain(metric);
    }
  });

  it('sends every alarm to an encrypted topic when alarmEmail is given', () => {
    const t = template('basicAuth');
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const alarm of alarms(t)) expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
  });

  it('takes thresholds as props', () => {
    const stack = new Stack(new App());
    const table = new dynamodb.Table(stack, 'T', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    const cdc = new DynamoDbOpenSearchCdc(stack, 'Cdc', {
      table,
      mirrorIndex: 'm',
      openSearch: OpenSearchTarget.domainEndpoint('https://search-x.eu-west-1.es.amazonaws.com', DOMAIN_ARN),
      monitoringOptions: { iteratorAgeThreshold: Duration.minutes(1), errorsThreshold: 20 },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Threshold: 60000 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: 20 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Threshold: 1 });
    expect(Object.keys(cdc.monitoring!.alarms).sort()).toEqual([
      'deadLetterQueue',
      'deadLettered',
      'endToEndLag',
      'errors',
      'iteratorAge',
      'maintenance',
      'throttles',
    ]);
  });

  it('keeps the local stack lean: no alarms, no dashboard, no schedule', () => {
    const t = Template.fromStack(stackOf({}));
    for (const type of ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard', 'AWS::Events::Rule', 'AWS::SNS::Topic'])
      t.resourceCountIs(type, 0);
  });
});

describe('maintenance schedule', () => {
  it('on aws invokes the function daily with the maintenance event', () => {
    template('domain').hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CdcHandler'), 'Arn'] },
          Input: JSON.stringify(MAINTENANCE_EVENT),
        }),
      ],
    });
  });

  it('passes retention and shard settings to the function: 30 days of change log on aws, 0 (kept) locally', () => {
    expect(environment(template('domain'))).toMatchObject({
      CHANGE_LOG_RETENTION_DAYS: '30',
      MIRROR_SHARDS: '1',
      TOMBSTONE_RETENTION_HOURS: '48',
    });
    expect(environment(Template.fromStack(stackOf({})))).toMatchObject({ CHANGE_LOG_RETENTION_DAYS: '0' });
  });

  it('takes them from context', () => {
    const t = Template.fromStack(
      aws('domain', {
        changeLogRetentionDays: '7',
        mirrorShards: 3,
        tombstoneRetentionHours: '72',
        maintenanceSchedule: 'cron(0 3 * * ? *)',
      }),
    );
    expect(environment(t)).toMatchObject({ CHANGE_LOG_RETENTION_DAYS: '7', MIRROR_SHARDS: '3', TOMBSTONE_RETENTION_HOURS: '72' });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 3 * * ? *)' });
    expect(() => aws('domain', { tombstoneRetentionHours: 24 })).toThrow(/"tombstoneRetentionHours" must be an integer from 25/);
    expect(() => aws('domain', { maintenanceSchedule: 'daily' })).toThrow(
      /"maintenanceSchedule" must be an EventBridge schedule expression/,
    );
  });
});

describe('cdk-nag AwsSolutions checks', () => {
  it.each(Object.keys(VARIANTS))('%s: no finding left unacknowledged, every acknowledgment with a reason', (variant) => {
    const stack = aws(variant);
    const report = new AwsSolutionsChecks(stack.node.scope as App).validateScope(stack);
    expect(
      report.violations.map(
        (violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`,
      ),
    ).toEqual([]);
    for (const construct of stack.node.findAll()) {
      for (const entry of construct.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules')) {
        for (const reason of Object.values(entry.data as Record<string, string>)) expect(reason.length).toBeGreaterThan(30);
      }
    }
  });

  it('the IDomain variant too', () => {
    const stack = new Stack(new App(), 'S');
    const table = new dynamodb.Table(stack, 'T', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
    const domain = opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-shop-abc.eu-central-1.es.amazonaws.com');
    new DynamoDbOpenSearchCdc(stack, 'Cdc', { table, mirrorIndex: 'orders', openSearch: OpenSearchTarget.domain(domain) });
    expect(new AwsSolutionsChecks(stack.node.scope as App).validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });
});

/**
 * What synth refuses on the AWS targets before anything is deployed: a secret ARN that is a
 * wildcard, an endpoint that is not the domain or collection of its ARN, an ARN outside the AWS
 * partitions, a schedule EventBridge would reject, a retention that is not whole days or hours,
 * and a "loopback" endpoint that is not one. And what a secret ARN that may be partial is granted.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { readAppSettings } from '../../lib/app-settings';
import { CdcStack } from '../../lib/cdc-stack';
import { DynamoDbOpenSearchCdc, type DynamoDbOpenSearchCdcProps } from '../../lib/dynamodb-opensearch-cdc';
import { isLoopbackEndpoint } from '../../lib/endpoint-guard';
import { OpenSearchTarget } from '../../lib/opensearch-target';
import { ValidationError } from '../../lib/validation-error';

const cdkJson = require('../../cdk.json');

const DOMAIN = {
  openSearch: 'domain',
  openSearchEndpoint: 'https://search-x.eu-west-1.es.amazonaws.com',
  openSearchDomainArn: 'arn:aws:es:eu-west-1:123456789012:domain/x',
};
const SERVERLESS = {
  openSearch: 'serverless',
  openSearchEndpoint: 'https://abc123.eu-west-1.aoss.amazonaws.com',
  openSearchCollectionArn: 'arn:aws:aoss:eu-west-1:123456789012:collection/abc123',
  openSearchCollectionName: 'cdc-items',
};
const BASIC = { openSearch: 'basicAuth', openSearchEndpoint: 'https://search.example.com' };
const SECRET_PREFIX = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:';

/** The settings of `cdk synth -c target=aws -c ...`: what bin/app.ts reads before building the stack. */
function settings(context: Record<string, unknown>) {
  const all: Record<string, unknown> = { ...cdkJson.context, target: 'aws', ...context };
  return readAppSettings((key) => all[key]);
}

function stackOf(context: Record<string, unknown>): CdcStack {
  const app = new App({ context: { ...cdkJson.context, target: 'aws', ...context } });
  return new CdcStack(app, 'DynamoDbOpenSearchCdcStack', { config: settings(context) });
}

/** Makes the construct, each call in a new stack `S`; `props` may import what it needs into that stack. */
function construct(props: Partial<DynamoDbOpenSearchCdcProps> | ((stack: Stack) => Partial<DynamoDbOpenSearchCdcProps>)): () => Stack {
  return () => {
    const stack = new Stack(new App(), 'S');
    const table = new dynamodb.Table(stack, 'T', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    const given = typeof props === 'function' ? props(stack) : props;
    new DynamoDbOpenSearchCdc(stack, 'Cdc', { table, mirrorIndex: 'm', monitoring: false, maintenance: false, ...given });
    return stack;
  };
}

function secretResources(t: Template): unknown[] {
  const policies = t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^CdcHandlerRole') }] } });
  return Object.values(policies)
    .flatMap((policy: any) => policy.Properties.PolicyDocument.Statement)
    .filter((statement: any) => String(statement.Action).startsWith('secretsmanager:'))
    .flatMap((statement: any) => [].concat(statement.Resource));
}

describe('a secret ARN with a wildcard', () => {
  it.each(['*', 'prod*', 'opensearch-??????', 'opensearch?'])(
    'is refused from context (secret:%s), naming the key and the value',
    (name) => {
      expect(() => settings({ ...BASIC, openSearchSecretArn: `${SECRET_PREFIX}${name}` })).toThrow(
        new RegExp(
          `CDK context "openSearchSecretArn" must name one secret: \\* and \\? are wildcards.*got "${(SECRET_PREFIX + name).replace(/[*?]/g, '\\$&')}"`,
        ),
      );
    },
  );

  it('is refused by the construct, whether imported by partial or complete ARN', () => {
    for (const [importSecret, name] of [
      [secretsmanager.Secret.fromSecretPartialArn, 'prod*'],
      [secretsmanager.Secret.fromSecretCompleteArn, 'prod*-AbCdEf'],
    ] as const) {
      const create = construct((stack) => ({
        openSearch: OpenSearchTarget.basicAuth('https://search.example.com', importSecret(stack, 'Secret', `${SECRET_PREFIX}${name}`)),
      }));
      expect(create).toThrow(ValidationError);
      expect(create).toThrow(
        new RegExp(`^S/Cdc: openSearch \\(basicAuth secret ARN\\) must name one secret.*got "${SECRET_PREFIX}${name.replace('*', '\\*')}"`),
      );
    }
  });
});

describe('a secret ARN from context that may be partial', () => {
  it('grants both readings when the name ends in - and six letters or digits, and the function reads the ARN as given', () => {
    const arn = `${SECRET_PREFIX}opensearch-master`;
    const t = Template.fromStack(stackOf({ ...BASIC, openSearchSecretArn: arn }));
    expect(secretResources(t).sort()).toEqual([arn, `${arn}-??????`]);
    const [fn] = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'dynamodb-cdc-handler' } })) as any[];
    expect(fn.Properties.Environment.Variables.OPENSEARCH_SECRET_ARN).toBe(arn);
  });

  it('grants the name followed by the suffix only when the ARN cannot be complete', () => {
    const arn = `${SECRET_PREFIX}opensearch`;
    expect(secretResources(Template.fromStack(stackOf({ ...BASIC, openSearchSecretArn: arn })))).toEqual([`${arn}-??????`]);
  });

  it('grants exactly the complete ARN of a secret the construct is told is complete', () => {
    const arn = `${SECRET_PREFIX}opensearch-AbCdEf`;
    const create = construct((scope) => ({
      openSearch: OpenSearchTarget.basicAuth(
        'https://search.example.com',
        secretsmanager.Secret.fromSecretCompleteArn(scope, 'Secret', arn),
      ),
    }));
    const statements = Object.values(Template.fromStack(create()).findResources('AWS::IAM::Policy')).flatMap(
      (policy: any) => policy.Properties.PolicyDocument.Statement,
    );
    expect(statements.filter((s: any) => s.Action === 'secretsmanager:GetSecretValue').map((s: any) => s.Resource)).toEqual([arn]);
  });
});

describe('endpoint and ARN of an AWS target', () => {
  it.each([
    [
      'a domain endpoint in another region than its ARN',
      { ...DOMAIN, openSearchDomainArn: 'arn:aws:es:us-east-1:123456789012:domain/x' },
      /CDK context "openSearchEndpoint" is in region eu-west-1, but openSearchDomainArn is "arn:aws:es:us-east-1:123456789012:domain\/x", in region us-east-1.*got "https:\/\/search-x.eu-west-1.es.amazonaws.com"/,
    ],
    [
      'a domain ARN in no AWS partition',
      { ...DOMAIN, openSearchDomainArn: 'arn:awsbogus:es:eu-west-1:123456789012:domain/x' },
      /CDK context "openSearchDomainArn" has partition "awsbogus", which is not an AWS partition.*got "arn:awsbogus:/,
    ],
    [
      'a serverless endpoint with openSearch=domain',
      { ...DOMAIN, openSearchEndpoint: 'https://abc123.eu-west-1.aoss.amazonaws.com' },
      /CDK context "openSearchEndpoint" is not an OpenSearch Service domain endpoint .*as openSearch=domain needs; it is an OpenSearch Serverless collection's.*openSearchDomainArn is "arn:aws:es:eu-west-1:123456789012:domain\/x".*got "https:\/\/abc123.eu-west-1.aoss.amazonaws.com"/,
    ],
    [
      'a domain endpoint in the China partition with an ARN outside it',
      { ...DOMAIN, openSearchEndpoint: 'https://search-x.eu-west-1.es.amazonaws.com.cn' },
      /CDK context "openSearchEndpoint" is in the China partition .*openSearchDomainArn is "arn:aws:es:eu-west-1:123456789012:domain\/x", in partition aws/,
    ],
    [
      'a serverless endpoint in another region than its collection',
      { ...SERVERLESS, openSearchEndpoint: 'https://abc123.us-east-1.aoss.amazonaws.com' },
      /CDK context "openSearchEndpoint" is in region us-east-1, but openSearchCollectionArn is "arn:aws:aoss:eu-west-1:123456789012:collection\/abc123", in region eu-west-1.*got "https:\/\/abc123.us-east-1/,
    ],
    [
      'a serverless endpoint of another collection',
      { ...SERVERLESS, openSearchEndpoint: 'https://xyz789.eu-west-1.aoss.amazonaws.com' },
      /CDK context "openSearchEndpoint" is the endpoint of collection xyz789, but openSearchCollectionArn is "arn:aws:aoss:eu-west-1:123456789012:collection\/abc123", collection abc123.*got "https:\/\/xyz789/,
    ],
    [
      'a domain endpoint with openSearch=serverless',
      { ...SERVERLESS, openSearchEndpoint: 'https://search-x.eu-west-1.es.amazonaws.com' },
      /CDK context "openSearchEndpoint" is not an OpenSearch Serverless collection endpoint .*as openSearch=serverless needs/,
    ],
    [
      'a collection ARN in no AWS partition',
      { ...SERVERLESS, openSearchCollectionArn: 'arn:awsbogus:aoss:eu-west-1:123456789012:collection/abc123' },
      /CDK context "openSearchCollectionArn" has partition "awsbogus"/,
    ],
    [
      'a secret ARN in no AWS partition',
      { ...BASIC, openSearchSecretArn: 'arn:awsbogus:secretsmanager:eu-west-1:123456789012:secret:x' },
      /CDK context "openSearchSecretArn" has partition "awsbogus"/,
    ],
  ])('refuses %s from context, naming both settings and values', (_case, context, message) => {
    expect(() => settings(context)).toThrow(message);
  });

  it.each([
    [
      'a custom domain name (a CNAME) with any domain ARN',
      { ...DOMAIN, openSearchEndpoint: 'https://search.example.com', openSearchDomainArn: 'arn:aws:es:us-east-1:123456789012:domain/x' },
    ],
    [
      'a VPC domain endpoint in the region of its ARN',
      { ...DOMAIN, openSearchEndpoint: 'https://vpc-x-abc123.eu-west-1.es.amazonaws.com' },
    ],
    [
      'a domain in the China partition',
      {
        ...DOMAIN,
        openSearchEndpoint: 'https://search-x-abc.cn-north-1.es.amazonaws.com.cn',
        openSearchDomainArn: 'arn:aws-cn:es:cn-north-1:123456789012:domain/x',
      },
    ],
    [
      'a domain in GovCloud',
      {
        ...DOMAIN,
        openSearchEndpoint: 'https://search-x-abc.us-gov-west-1.es.amazonaws.com',
        openSearchDomainArn: 'arn:aws-us-gov:es:us-gov-west-1:123456789012:domain/x',
      },
    ],
    ['a serverless collection in its region', SERVERLESS],
  ])('accepts %s', (_case, context) => {
    expect(() => settings(context)).not.toThrow();
  });

  describe('in the construct', () => {
    it.each([
      [
        OpenSearchTarget.domainEndpoint('https://search-x.eu-west-1.es.amazonaws.com', 'arn:aws:es:us-east-1:123456789012:domain/x'),
        /openSearch \(domainEndpoint\) is in region eu-west-1, but openSearch \(domain ARN\) is "arn:aws:es:us-east-1:123456789012:domain\/x", in region us-east-1/,
      ],
      [
        OpenSearchTarget.domainEndpoint('https://search-x.eu-west-1.es.amazonaws.com', 'arn:awsbogus:es:eu-west-1:123456789012:domain/x'),
        /openSearch \(domain ARN\) has partition "awsbogus"/,
      ],
      [
        OpenSearchTarget.domainEndpoint('https://abc123.eu-west-1.aoss.amazonaws.com', 'arn:aws:es:eu-west-1:123456789012:domain/x'),
        /as OpenSearchTarget.domainEndpoint needs; it is an OpenSearch Serverless collection's/,
      ],
      [
        OpenSearchTarget.serverless({
          collectionName: 'items',
          collectionArn: 'arn:aws:aoss:eu-west-1:123456789012:collection/abc123',
          collectionEndpoint: 'https://abc123.us-east-1.aoss.amazonaws.com',
        }),
        /openSearch \(serverless\) is in region us-east-1, but openSearch \(collection ARN\) is "arn:aws:aoss:eu-west-1:123456789012:collection\/abc123"/,
      ],
      [
        OpenSearchTarget.serverless({
          collectionName: 'items',
          collectionArn: 'arn:aws:aoss:eu-west-1:123456789012:collection/abc123',
          collectionEndpoint: 'https://def456.eu-west-1.aoss.amazonaws.com',
        }),
        /openSearch \(serverless\) is the endpoint of collection def456, but openSearch \(collection ARN\) is .*collection abc123/,
      ],
    ])('refuses %#: a ValidationError naming both and their values', (openSearch, message) => {
      const create = construct({ openSearch });
      expect(create).toThrow(ValidationError);
      expect(create).toThrow(message);
    });

    it('refuses an imported domain whose endpoint and ARN are in different regions', () => {
      const create = construct((stack) => ({
        openSearch: OpenSearchTarget.domain(
          opensearch.Domain.fromDomainAttributes(stack, 'D', {
            domainArn: 'arn:aws:es:us-east-1:123456789012:domain/shop',
            domainEndpoint: 'https://search-shop-abc.eu-central-1.es.amazonaws.com',
          }),
        ),
      }));
      expect(create).toThrow(ValidationError);
      expect(create).toThrow(
        /openSearch \(domain endpoint\) is in region eu-central-1, but openSearch \(domain ARN\) is "arn:aws:es:us-east-1:123456789012:domain\/shop"/,
      );
    });
  });
});

describe('the maintenance schedule', () => {
  it.each([
    'rate(banana)',
    'rate(1 days)',
    'rate(0 minutes)',
    'rate(2 minute)',
    'rate(01 minutes)',
    'rate(1 week)',
    'cron(* * * * * *)',
    'cron(0 3 * * *)',
    'cron(0 3 ? * ? *)',
    'cron(0  3 * * ? *)',
    'daily',
  ])('refuses %j from context, naming the key and the value', (schedule) => {
    expect(() => settings({ ...DOMAIN, maintenanceSchedule: schedule })).toThrow(
      new RegExp(
        `CDK context "maintenanceSchedule" must be an EventBridge schedule expression.*or off, got ${JSON.stringify(
          JSON.stringify(schedule),
        )
          .slice(1, -1)
          .replace(/[()*?]/g, '\\$&')}`,
      ),
    );
  });

  it.each([
    'rate(1 minute)',
    'rate(1 hour)',
    'rate(1 day)',
    'rate(2 minutes)',
    'rate(12 hours)',
    'rate(10 days)',
    'cron(0 3 * * ? *)',
    'cron(0/15 * ? * MON-FRI *)',
    'cron(0 12 L * ? 2030)',
    'cron(0 8 ? * 2#1 *)',
  ])('accepts %j', (schedule) => {
    expect(settings({ ...DOMAIN, maintenanceSchedule: schedule }).maintenanceSchedule).toBe(schedule);
  });

  it('accepts off, which turns the schedule off', () => {
    expect(settings({ ...DOMAIN, maintenanceSchedule: 'off' }).maintenanceSchedule).toBeUndefined();
  });

  it('is refused by the construct when its expression is not a valid one', () => {
    const create = construct({
      openSearch: OpenSearchTarget.endpoint('http://localhost:9200'),
      maintenance: true,
      maintenanceSchedule: events.Schedule.expression('rate(1 days)'),
    });
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(/^S\/Cdc: maintenanceSchedule must be an EventBridge schedule expression.*got "rate\(1 days\)"/);
  });
});

describe('retention props that are not whole units', () => {
  it.each([
    [{ changeLogRetention: Duration.hours(36) }, /^S\/Cdc: changeLogRetention must be a whole number of days.*got "Duration.hours\(36\)"/],
    [
      { tombstoneRetention: Duration.minutes(90) },
      /^S\/Cdc: tombstoneRetention must be a whole number of hours.*got "Duration.minutes\(90\)"/,
    ],
  ])('refuses %j with a ValidationError naming the prop and the value', (props, message) => {
    const create = construct({ openSearch: OpenSearchTarget.endpoint('http://localhost:9200'), ...props });
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(message);
  });

  it('accepts any duration of whole days or hours, whatever its unit', () => {
    const create = construct({
      openSearch: OpenSearchTarget.endpoint('http://localhost:9200'),
      changeLogRetention: Duration.hours(48),
      tombstoneRetention: Duration.minutes(1800),
    });
    Template.fromStack(create()).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CHANGE_LOG_RETENTION_DAYS: '2', TOMBSTONE_RETENTION_HOURS: '30' }) },
    });
  });
});

describe('loopback endpoints', () => {
  it.each([
    'http://localhost:9200',
    'http://127.0.0.1:9200',
    'http://127.8.9.10:9200',
    'http://127.1:9200',
    'http://[::1]:9200',
    'http://[0:0:0:0:0:0:0:1]:9200',
  ])('counts %s as loopback', (url) => {
    expect(isLoopbackEndpoint(url)).toBe(true);
  });

  it.each([
    'http://evil.localhost:9200',
    'http://localhost.evil.com:9200',
    'http://127.0.0.1.nip.io:9200',
    'http://128.0.0.1:9200',
    'http://[::2]:9200',
    'http://search.internal:9200',
  ])('does not count %s as loopback', (url) => {
    expect(isLoopbackEndpoint(url)).toBe(false);
  });

  it('refuses plain http without authentication to a *.localhost name in the construct', () => {
    const create = construct({ openSearch: OpenSearchTarget.endpoint('http://evil.localhost:9200') });
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(/openSearch \(endpoint\) must use https .*allowInsecureEndpoint: true.*got "http:\/\/evil.localhost:9200"/);
  });
});

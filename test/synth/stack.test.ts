import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { CdcStack } from '../../lib/cdc-stack';
import { readAppSettings } from '../../lib/app-settings';
import { DynamoDbOpenSearchCdc } from '../../lib/dynamodb-opensearch-cdc';
import { ValidationError } from '../../lib/validation-error';

const cdkJson = require('../../cdk.json');

function synth(context: Record<string, unknown> = {}): Template {
  const app = new App({ context: { ...cdkJson.context, ...context } });
  const stack = new CdcStack(app, 'DynamoDbOpenSearchCdcStack', { config: readAppSettings((key) => app.node.tryGetContext(key)) });
  return Template.fromStack(stack);
}

describe('CDC stack', () => {
  const template = synth();

  it('matches the snapshot (asset hashes masked)', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  it('declares test-table keyed by id, on demand, streaming new and old images', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'test-table',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('declares the dynamodb-cdc-handler function on Node.js 22 with its settings in the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'dynamodb-cdc-handler',
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          OPENSEARCH_ENDPOINT: 'http://localhost:9200',
          CHANGE_LOG_INDEX: 'dynamodb-cdc',
          MIRROR_INDEX: 'test-table',
          DEAD_LETTER_INDEX: 'dynamodb-cdc-deadletter',
          KEY_SCHEMA: 'id',
        }),
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('LogGroup') } },
    });
  });

  it('maps the stream with every delivery option set', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Table'), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86400,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } } },
    });
  });

  it('declares the dynamodb-cdc-dlq queue, encrypted, keeping messages 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'dynamodb-cdc-dlq',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
  });

  it('declares the function log group explicitly, with a retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/dynamodb-cdc-handler', RetentionInDays: 30 });
  });

  it('grants the function only stream reads on its table, sends to its queue and writes to its log group', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((statement: any) => [].concat(statement.Action)).sort();
    expect(actions).toEqual(
      [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ].sort(),
    );
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      // ListStreams has no resource-level permissions in IAM: it is the only action allowed on *.
      if (statement.Resource === '*') expect(statement.Action).toBe('dynamodb:ListStreams');
    }
    expect(JSON.stringify(policies)).not.toMatch(/dynamodb:(PutItem|DeleteItem|Scan|\*)/);
    // Its own role: no AWS managed policy (AWSLambdaBasicExecutionRole may write to every log group).
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('outputs the table, stream, function, queue and indexes', () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'TableName',
        'StreamArn',
        'FunctionName',
        'DeadLetterQueueUrl',
        'ChangeLogIndex',
        'MirrorIndex',
        'DeadLetterIndex',
        'OpenSearchEndpoint',
      ]),
    );
  });

  it('takes settings from context', () => {
    const custom = synth({ batchSize: '25', retryAttempts: 3, openSearchEndpoint: 'http://opensearch:9200', mirrorIndex: 'items' });
    custom.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 25, MaximumRetryAttempts: 3 });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ OPENSEARCH_ENDPOINT: 'http://opensearch:9200', MIRROR_INDEX: 'items' }) },
    });
  });
});

describe('settings validation at synth time', () => {
  it.each([
    [{ batchSize: 0 }, /"batchSize" must be an integer from 1 to 10000, got 0/],
    [{ batchSize: 'many' }, /"batchSize" must be an integer from 1 to 10000, got "many"/],
    [{ retryAttempts: 10001 }, /"retryAttempts" must be an integer from 0 to 10000/],
    [{ maxRecordAgeSeconds: 30 }, /"maxRecordAgeSeconds" must be an integer from 60 to 604800/],
    [{ openSearchEndpoint: 'localhost:9200' }, /"openSearchEndpoint" must use http or https/],
    [
      { openSearchEndpoint: 'https://admin:secret@search.example.com' },
      /"openSearchEndpoint" must not contain credentials.*"https:\/\/\*\*\*@search.example.com"/,
    ],
    [{ changeLogIndex: 'CDC' }, /"changeLogIndex" is not a valid OpenSearch index name: it must be lowercase/],
    [{ removalPolicy: 'maybe' }, /"removalPolicy" must be one of destroy, retain/],
  ])('rejects %j with a message naming the setting', (context, message) => {
    expect(() => synth(context)).toThrow(message);
  });
});

describe('DynamoDbOpenSearchCdc construct', () => {
  function tableStack(stream?: dynamodb.StreamViewType) {
    const stack = new Stack(new App());
    const table = new dynamodb.Table(stack, 'T', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.NUMBER },
      stream,
    });
    return { stack, table };
  }

  it('reads a composite key from the table', () => {
    const { stack, table } = tableStack(dynamodb.StreamViewType.NEW_AND_OLD_IMAGES);
    new DynamoDbOpenSearchCdc(stack, 'Cdc', {
      table,
      openSearchEndpoint: 'https://search.example.com',
      allowInsecureEndpoint: true,
      mirrorIndex: 'orders',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KEY_SCHEMA: 'pk,sk', OPENSEARCH_ENDPOINT: 'https://search.example.com' }) },
    });
  });

  it.each([
    [{ batchSize: 20000 }, /batchSize must be an integer from 1 to 10000, got 20000/],
    [{ parallelizationFactor: 11 }, /parallelizationFactor must be an integer from 1 to 10/],
    [{ maxRecordAge: Duration.days(8) }, /maxRecordAge \(seconds\) must be an integer from 60 to 604800/],
    [{ openSearchEndpoint: 'ftp://x' }, /openSearchEndpoint must use http or https, got "ftp:\/\/x"/],
    [{ openSearchEndpoint: 'https://user:pass@search.example.com' }, /openSearchEndpoint must not contain credentials/],
    [{ changeLogIndex: '_bad' }, /changeLogIndex is not a valid OpenSearch index name: it must not start with -, _ or \+, got "_bad"/],
    [{ mirrorIndex: 'dynamodb-cdc' }, /changeLogIndex must differ from the indexes of mirrorIndex \(the mirror alias\)/],
    [
      { mirrors: [{ index: 'users', operations: ['DELETE' as never] }] },
      /mirrors has at \[0\].operations\[0\] a value that is not one of INSERT, MODIFY, REMOVE/,
    ],
    [{ changeLog: { exclude: ['sk'] } }, /changeLog excludes sk, a key attribute of the table/],
  ])('rejects %j with a ValidationError bound to the construct, naming the prop and the value', (props, message) => {
    const create = () => {
      const { stack, table } = tableStack(dynamodb.StreamViewType.NEW_AND_OLD_IMAGES);
      return new DynamoDbOpenSearchCdc(stack, 'Cdc', { table, openSearchEndpoint: 'http://localhost:9200', mirrorIndex: 'm', ...props });
    };
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(message);
    expect(create).toThrow(/^Default\/Cdc: /);
  });

  it('never puts credentials of an endpoint into the function or the outputs', () => {
    expect(() => synth({ openSearchEndpoint: 'https://u:p@host.example.com' })).toThrow(/must not contain credentials/);
    expect(JSON.stringify(synth({ openSearchEndpoint: 'https://host.example.com' }).toJSON())).not.toMatch(/@host/);
  });

  it('refuses a table without a stream', () => {
    const { stack, table } = tableStack();
    expect(() => new DynamoDbOpenSearchCdc(stack, 'Cdc', { table, openSearchEndpoint: 'http://localhost:9200', mirrorIndex: 'm' })).toThrow(
      /table has no stream/,
    );
  });

  it.each([dynamodb.StreamViewType.NEW_IMAGE, dynamodb.StreamViewType.OLD_IMAGE, dynamodb.StreamViewType.KEYS_ONLY])(
    'refuses a table whose stream view type is %s, naming the prop',
    (viewType) => {
      const { stack, table } = tableStack(viewType);
      expect(
        () => new DynamoDbOpenSearchCdc(stack, 'Cdc', { table, openSearchEndpoint: 'http://localhost:9200', mirrorIndex: 'm' }),
      ).toThrow(new RegExp(`table must have a stream of view type NEW_AND_OLD_IMAGES .*its stream is ${viewType}`));
    },
  );

  it('asks for a mirror index name when the table name is generated', () => {
    const { stack, table } = tableStack(dynamodb.StreamViewType.NEW_AND_OLD_IMAGES);
    expect(() => new DynamoDbOpenSearchCdc(stack, 'Cdc', { table, openSearchEndpoint: 'http://localhost:9200' })).toThrow(
      /mirrorIndex must be known at synth time/,
    );
  });
});

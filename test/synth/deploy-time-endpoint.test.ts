/**
 * An endpoint known only at deploy time (an SSM parameter) cannot be checked at synth time: the
 * construct writes the allow setting into the function's environment only when its prop says so,
 * and the function, given that environment, refuses the plain http value the parameter holds.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { readAppSettings } from '../../lib/app-settings';
import { CdcStack } from '../../lib/cdc-stack';
import { DynamoDbOpenSearchCdc } from '../../lib/dynamodb-opensearch-cdc';
import { OpenSearchTarget } from '../../lib/opensearch-target';
import { fromFunctionEnvironment } from '../../lambda/settings/function-settings';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:opensearch-AbCdEf-123456';

/** The function's environment as synthesized, with the parameter's reference in place of the endpoint. */
function synthesizedEnvironment(allowInsecureEndpoint?: boolean): Record<string, unknown> {
  const stack = new Stack(new App(), 'S');
  const table = new dynamodb.Table(stack, 'T', {
    tableName: 'orders',
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  });
  const endpoint = ssm.StringParameter.valueForStringParameter(stack, '/search/endpoint');
  const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret', SECRET_ARN);
  new DynamoDbOpenSearchCdc(stack, 'Cdc', {
    table,
    mirrorIndex: 'orders',
    openSearch: OpenSearchTarget.basicAuth(endpoint, secret),
    allowInsecureEndpoint,
    monitoring: false,
    maintenance: false,
  });
  const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as any[];
  return fn.Properties.Environment.Variables;
}

/** The environment the function sees once CloudFormation resolves the references: the table's name, and the parameter to `endpoint`. */
function atRunTime(environment: Record<string, unknown>, endpoint: string): Record<string, string> {
  expect(environment.OPENSEARCH_ENDPOINT).toEqual({ Ref: expect.stringMatching(/^SsmParameterValue/) });
  return { ...(environment as Record<string, string>), TABLE_NAME: 'orders', OPENSEARCH_ENDPOINT: endpoint };
}

describe('an endpoint read from an SSM parameter, with basic authentication', () => {
  it('synthesizes without the allow setting unless the prop says so, and with it when it does', () => {
    const refused = synthesizedEnvironment();
    expect(refused).toMatchObject({ OPENSEARCH_AUTH: 'basic', OPENSEARCH_SECRET_ARN: SECRET_ARN });
    expect(refused).not.toHaveProperty('OPENSEARCH_ALLOW_INSECURE');
    expect(synthesizedEnvironment(false)).not.toHaveProperty('OPENSEARCH_ALLOW_INSECURE');
    expect(synthesizedEnvironment(true)).toMatchObject({ OPENSEARCH_ALLOW_INSECURE: 'true' });
  });

  it('is refused by the function when the parameter holds a plain http URL, naming the setting that allows it', () => {
    const environment = atRunTime(synthesizedEnvironment(), 'http://search.internal:9200');
    expect(() => fromFunctionEnvironment(environment)).toThrow(
      /^OPENSEARCH_ENDPOINT must use https with basic authentication \(the password and the items would travel in clear\), got "http:\/\/search.internal:9200"\. .*OPENSEARCH_ALLOW_INSECURE set to true .*allowInsecureEndpoint/,
    );
  });

  it('is accepted by the function over https, or over http when the construct was told to allow it', () => {
    expect(fromFunctionEnvironment(atRunTime(synthesizedEnvironment(), 'https://search.example.com')).auth.mode).toBe('basic');
    const allowed = fromFunctionEnvironment(atRunTime(synthesizedEnvironment(true), 'http://search.internal:9200'));
    expect(allowed).toMatchObject({ openSearchEndpoint: 'http://search.internal:9200', allowInsecureEndpoint: true });
  });
});

describe('the CDK app with basic authentication over plain http', () => {
  function environment(context: Record<string, unknown>): Record<string, unknown> {
    const all = { openSearch: 'basicAuth', openSearchEndpoint: 'http://search.internal:9200', openSearchSecretArn: SECRET_ARN, ...context };
    const app = new App({ context: all });
    const stack = new CdcStack(app, 'DynamoDbOpenSearchCdcStack', { config: readAppSettings((key) => app.node.tryGetContext(key)) });
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as any[];
    return fn.Properties.Environment.Variables;
  }

  it('lets the function use it on the local target, and on aws with -c allowInsecureOpenSearch=true', () => {
    expect(environment({ target: 'local' })).toMatchObject({ OPENSEARCH_AUTH: 'basic', OPENSEARCH_ALLOW_INSECURE: 'true' });
    expect(environment({ target: 'aws', allowInsecureOpenSearch: 'true' })).toMatchObject({ OPENSEARCH_ALLOW_INSECURE: 'true' });
  });
});

import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { CdcAppSettings } from './app-settings';
import { DynamoDbOpenSearchCdc } from './dynamodb-opensearch-cdc';

export interface CdcStackProps extends StackProps {
  readonly config: CdcAppSettings;
}

/** The seed's system: table `test-table` with its stream, synced to OpenSearch. */
export class CdcStack extends Stack {
  public readonly table: dynamodb.Table;
  public readonly cdc: DynamoDbOpenSearchCdc;

  constructor(scope: Construct, id: string, props: CdcStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.table = new dynamodb.Table(this, 'Table', {
      tableName: config.tableName,
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: 'ttl',
      removalPolicy,
    });

    this.cdc = new DynamoDbOpenSearchCdc(this, 'Cdc', {
      table: this.table,
      openSearchEndpoint: config.openSearchEndpoint,
      changeLogIndex: config.changeLogIndex,
      mirrorIndex: config.mirrorIndex,
      deadLetterIndex: config.deadLetterIndex,
      functionName: config.functionName,
      deadLetterQueueName: config.dlqName,
      batchSize: config.batchSize,
      retryAttempts: config.retryAttempts,
      maxRecordAge: Duration.seconds(config.maxRecordAgeSeconds),
      maxBatchingWindow: config.maxBatchingWindowSeconds > 0 ? Duration.seconds(config.maxBatchingWindowSeconds) : undefined,
      parallelizationFactor: config.parallelizationFactor,
      failureReporting: config.failureReporting,
      removalPolicy,
    });

    const outputs: Record<string, string> = {
      TableName: this.table.tableName,
      StreamArn: this.table.tableStreamArn!,
      FunctionName: this.cdc.handler.functionName,
      DeadLetterQueueUrl: this.cdc.deadLetterQueue.queueUrl,
      DeadLetterQueueArn: this.cdc.deadLetterQueue.queueArn,
      OpenSearchEndpoint: config.openSearchEndpoint,
      ChangeLogIndex: this.cdc.changeLogIndex,
      MirrorIndex: this.cdc.mirrorIndex,
      DeadLetterIndex: this.cdc.deadLetterIndex,
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}

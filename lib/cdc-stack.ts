import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { CdcAppSettings, OpenSearchSettings } from './app-settings';
import { DynamoDbOpenSearchCdc } from './dynamodb-opensearch-cdc';
import { OpenSearchTarget } from './opensearch-target';
import { removalPolicyOf } from './prop-settings';
import type { KeyAttribute } from '../lambda/settings';

export interface CdcStackProps extends StackProps {
  readonly config: CdcAppSettings;
}

/**
 * The demo system under the default names: table `test-table` with its stream, synced to OpenSearch. On target `local`
 * it is lean (no alarms, no schedule); on `aws` it keeps its data, is monitored and maintained.
 */
export class CdcStack extends Stack {
  public readonly table: dynamodb.Table;
  public readonly cdc: DynamoDbOpenSearchCdc;
  /** The VPC made for the domain and the function (context openSearchVpc=new). */
  public readonly vpc?: ec2.IVpc;

  constructor(scope: Construct, id: string, props: CdcStackProps) {
    super(scope, id, props);
    const { config } = props;
    const onAws = config.platform === 'aws';
    const removalPolicy = removalPolicyOf(config.removalPolicy);

    this.table = new dynamodb.Table(this, 'Table', {
      tableName: config.tableName,
      partitionKey: keyAttribute(config.partitionKey),
      ...(config.sortKey ? { sortKey: keyAttribute(config.sortKey) } : {}),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: 'ttl',
      removalPolicy,
      ...(onAws ? { pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }, deletionProtection: true } : {}),
    });

    if (config.openSearch.kind === 'newDomain' && config.openSearch.vpc) this.vpc = this.createOrFindVpc(config.openSearch.vpc);

    this.cdc = new DynamoDbOpenSearchCdc(this, 'Cdc', {
      table: this.table,
      openSearch: this.openSearchTarget(config.openSearch),
      allowInsecureEndpoint: !onAws || config.allowInsecureOpenSearch,
      changeLogIndex: config.changeLogIndex,
      mirrorIndex: config.mirrorIndex,
      deadLetterIndex: config.deadLetterIndex,
      mirrors: config.mirrors,
      changeLog: config.changeLog,
      functionName: config.functionName,
      deadLetterQueueName: config.dlqName,
      batchSize: config.batchSize,
      retryAttempts: config.retryAttempts,
      maxRecordAge: Duration.seconds(config.maxRecordAgeSeconds),
      maxBatchingWindow: config.maxBatchingWindowSeconds > 0 ? Duration.seconds(config.maxBatchingWindowSeconds) : undefined,
      parallelizationFactor: config.parallelizationFactor,
      failureReporting: config.failureReporting,
      changeLogPartitioning: config.changeLogPartitioning,
      changeLogRetention: Duration.days(config.changeLogRetentionDays),
      mirrorShards: config.mirrorShards,
      tombstoneRetention: Duration.hours(config.tombstoneRetentionHours),
      maintenance: config.maintenanceSchedule !== undefined,
      maintenanceSchedule: config.maintenanceSchedule ? events.Schedule.expression(config.maintenanceSchedule) : undefined,
      monitoring: config.monitoring,
      monitoringOptions: { alarmEmail: config.alarmEmail },
      removalPolicy,
    });

    const outputs: Record<string, string> = {
      TableName: this.table.tableName,
      StreamArn: this.table.tableStreamArn!,
      FunctionName: this.cdc.handler.functionName,
      DeadLetterQueueUrl: this.cdc.deadLetterQueue.queueUrl,
      DeadLetterQueueArn: this.cdc.deadLetterQueue.queueArn,
      OpenSearchEndpoint: this.cdc.openSearchEndpoint,
      ChangeLogIndex: this.cdc.changeLogIndex,
      MirrorIndex: this.cdc.mirrorIndex,
      DeadLetterIndex: this.cdc.deadLetterIndex,
      ...(this.cdc.monitoring ? { DashboardName: this.cdc.monitoring.dashboard.dashboardName } : {}),
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }

  private openSearchTarget(settings: OpenSearchSettings): OpenSearchTarget {
    switch (settings.kind) {
      case 'endpoint':
        return OpenSearchTarget.endpoint(settings.endpoint);
      case 'domain':
        return OpenSearchTarget.domainEndpoint(settings.endpoint, settings.domainArn);
      case 'serverless':
        return OpenSearchTarget.serverless({
          collectionName: settings.collectionName,
          collectionArn: settings.collectionArn,
          collectionEndpoint: settings.endpoint,
        });
      case 'basicAuth': {
        // Imported as given: `...:secret:opensearch-master` may be the complete ARN of `opensearch` or the
        // partial one of `opensearch-master`; the target grants both readings. The function reads it by
        // this ARN (GetSecretValue accepts a partial one).
        const secret = secretsmanager.Secret.fromSecretPartialArn(this, 'OpenSearchSecret', settings.secretArn);
        return OpenSearchTarget.basicAuth(settings.endpoint, secret);
      }
      case 'newDomain':
        return OpenSearchTarget.newDomain({
          vpc: this.vpc,
          operatorRoles: settings.operatorRoleArns?.map((arn, at) =>
            iam.Role.fromRoleArn(this, `OperatorRole${at}`, arn, { mutable: false }),
          ),
        });
    }
  }

  /** `new`: two zones of isolated subnets (no NAT gateway: the function only talks to the domain), with flow logs. */
  private createOrFindVpc(vpc: string): ec2.IVpc {
    if (vpc !== 'new') return ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: vpc });
    const created = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    });
    const flowLogs = new logs.LogGroup(this, 'VpcFlowLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    created.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    return created;
  }
}

const ATTRIBUTE_TYPES: Record<KeyAttribute['type'], dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

function keyAttribute(key: KeyAttribute): dynamodb.Attribute {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

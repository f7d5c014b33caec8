import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OPERATIONS, wantedOperations, type ChangeLogRoute, type KeySchema, type MirrorRoute } from '../lambda/core';
import {
  checkScheduleExpression,
  defaultFor,
  type FunctionSettings,
  PROP_NAMES,
  resolveFunctionSettings,
  SETTINGS,
  toFunctionEnvironment,
  type ChangeLogPartitioning,
  type FailureReporting,
  MAINTENANCE_EVENT,
  mirrorAliases,
  mirrorRoutes,
  SERVICE_NAME,
} from '../lambda/settings';
import { CdcMonitoring, type CdcMonitoringOptions } from './cdc-monitoring';
import { checkSecureEndpoint, isLoopbackEndpoint } from './endpoint-guard';
import { handlerCode } from './handler-code';
import type { MirrorTransform } from './transform-entry';
import { indexPatterns } from './opensearch-access';
import { OpenSearchTarget, type OpenSearchTargetConfig } from './opensearch-target';
import { checkProps, removalPolicyOf, type PropValues } from './prop-settings';
import { ValidationError } from './validation-error';

/** Properties of {@link DynamoDbOpenSearchCdc}. */
export interface DynamoDbOpenSearchCdcProps {
  /** The table to capture. It must have a stream whose view type is NEW_AND_OLD_IMAGES. */
  readonly table: dynamodb.ITable;

  /**
   * The table's key attributes, used for the mirror's document ids.
   * @default read from the table when it is a `Table` defined in this app (required otherwise)
   */
  readonly keySchema?: KeySchema;

  /**
   * The OpenSearch cluster the function writes to and how it authenticates there: an Amazon
   * OpenSearch Service domain (`OpenSearchTarget.domain`, `.domainEndpoint`, `.newDomain`), a
   * serverless collection (`.serverless`), a cluster with basic auth (`.basicAuth`), or an
   * unauthenticated local cluster (`.endpoint`). Each grants the function its own indexes only.
   * @default `OpenSearchTarget.endpoint(openSearchEndpoint)` (one of the two is required)
   */
  readonly openSearch?: OpenSearchTarget;

  /**
   * URL of an unauthenticated OpenSearch cluster, e.g. `http://localhost:9200`: scheme and host
   * only, never credentials (they would land in the environment, outputs and logs). The same as
   * `openSearch: OpenSearchTarget.endpoint(url)`, kept for existing apps.
   * @default none: give `openSearch` instead
   */
  readonly openSearchEndpoint?: string;

  /**
   * Allows a plain `http://` endpoint or an unauthenticated target that is not on the loopback
   * interface (localhost, 127.0.0.1, [::1]): a cluster inside a trusted network, an emulator.
   * Outside that, items would travel in clear or land in an index anyone reaching it may read.
   * An endpoint known only at deploy time (a token, such as an SSM parameter) is checked by the
   * function at run time: it refuses plain `http://` with SigV4 or basic authentication unless
   * this is true (the construct writes it to the function's environment).
   * @default false
   */
  readonly allowInsecureEndpoint?: boolean;

  /**
   * Change-log partitioning: `daily` indexes `${changeLogIndex}-<date>` behind the change-log
   * alias (pruned after `changeLogRetention`), or `none`, one index kept forever.
   * @default 'daily'
   */
  readonly changeLogPartitioning?: ChangeLogPartitioning;

  /** Daily change-log partitions older than this are deleted by the maintenance schedule, in whole days; 0 days keeps them. @default Duration.days(30) */
  readonly changeLogRetention?: Duration;

  /** Primary shards of the mirror's backing index, 1-1024 (set when the index is created). @default 1 */
  readonly mirrorShards?: number;

  /**
   * How long a deleted item's tombstone is kept (so a late, older write cannot bring it back),
   * in whole hours, 25 or more: it must outlive the stream's retention and the retries.
   * @default Duration.hours(48)
   */
  readonly tombstoneRetention?: Duration;

  /**
   * Whether an EventBridge rule invokes the function on `maintenanceSchedule` with the
   * maintenance event (prunes expired change-log partitions and tombstones).
   * @default true
   */
  readonly maintenance?: boolean;

  /**
   * When the maintenance event is sent: `Schedule.rate(...)`, `Schedule.cron(...)`, or
   * `Schedule.expression(...)` with a valid EventBridge expression (checked at synth).
   * @default events.Schedule.rate(Duration.days(1))
   */
  readonly maintenanceSchedule?: events.Schedule;

  /**
   * CloudWatch alarms (iterator age, end-to-end lag, dead-letter queue, dead-lettered records,
   * errors, throttles) and a dashboard. Emulators may not support them: turn off locally.
   * @default true
   */
  readonly monitoring?: boolean;

  /** Alarm thresholds and the topic alarms notify. @default the defaults of CdcMonitoringOptions, no topic */
  readonly monitoringOptions?: CdcMonitoringOptions;

  /**
   * Index receiving one document per change, in the change-log document format (see core/change-log-document.ts).
   * @default 'dynamodb-cdc'
   */
  readonly changeLogIndex?: string;

  /**
   * Alias through which the current state of every item is searched.
   * @default the table's name (required when the name is not known at synth time)
   */
  readonly mirrorIndex?: string;

  /**
   * Index receiving records OpenSearch rejected for good, with the reason.
   * @default `${changeLogIndex}-deadletter`
   */
  readonly deadLetterIndex?: string;

  /**
   * The mirror indexes, each with the items that belong in it (`match`), their shape (`include`, `exclude`, `rename`,
   * `fields`, `transform`) and the `operations` that change it. The function receives them in its environment.
   *
   * A `transform` (`"<module path>#<export>"`) is a TypeScript or JavaScript module of your project, its path relative to
   * the CDK app's working directory (where `cdk synth` runs, `process.cwd()`), exporting a `Transform`. It is checked and
   * bundled into the function at synth (the module must exist and export that name as a function; its top level runs
   * once then). Only a function bundled from the package's sources can take transforms, not the installed package's
   * pre-built bundle.
   * @default one mirror, `mirrorIndex`, taking every item whole
   */
  readonly mirrors?: readonly MirrorRoute[];

  /**
   * What the change log records (`operations`), and attribute paths that reach OpenSearch nowhere (`exclude`).
   * @default every operation, nothing excluded
   */
  readonly changeLog?: ChangeLogRoute;

  /** @default a name generated by CloudFormation */
  readonly functionName?: string;

  /** Name of the SQS queue that receives pointers to batches whose retries ran out. @default generated */
  readonly deadLetterQueueName?: string;

  /** Records per invocation, 1-10,000. @default 100 */
  readonly batchSize?: number;

  /** How long to gather records before invoking, 0-300 s. @default Duration.seconds(0) */
  readonly maxBatchingWindow?: Duration;

  /** Retries of a failing batch before it goes to the dead-letter queue, 0-10,000. @default 10 */
  readonly retryAttempts?: number;

  /**
   * Records older than this go to the dead-letter queue instead of being retried, 60 s to 7 days.
   * @default Duration.days(1), the stream's retention
   */
  readonly maxRecordAge?: Duration;

  /** Concurrent batches per shard, 1-10. Ordering per item holds for any value. @default 1 */
  readonly parallelizationFactor?: number;

  /** @default lambda.StartingPosition.TRIM_HORIZON, so nothing already in the stream is skipped */
  readonly startingPosition?: lambda.StartingPosition;

  /** @default 512 */
  readonly memorySize?: number;

  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;

  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;

  /**
   * How the function tells the event source which records to retry.
   * - `partial`: a partial batch response naming the failed records (AWS, LocalStack).
   * - `error`: it throws, so the whole batch is retried; for emulators that ignore partial
   *   batch responses for streams (MiniStack), where `partial` would drop the failed records.
   * Both are safe: every write is idempotent.
   * @default 'partial'
   */
  readonly failureReporting?: FailureReporting;

  /** What happens to the log group, the dead-letter queue and a new domain when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Change data capture from a DynamoDB table to OpenSearch: a stream-triggered function that
 * keeps a change log and a current-state mirror, with bisect, bounded retries, partial batch
 * responses and an SQS dead-letter queue.
 */
export class DynamoDbOpenSearchCdc extends Construct {
  public readonly handler: NodejsFunction;
  /** The function's execution role: its stream, its queue, its log group, its indexes. */
  public readonly role: iam.Role;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly logGroup: logs.LogGroup;
  public readonly changeLogIndex: string;
  public readonly mirrorIndex: string;
  public readonly deadLetterIndex: string;
  /** The URL the function writes to (a token when the domain is made in this app). */
  public readonly openSearchEndpoint: string;
  /** The domain written to, when given as an `IDomain` or made by `OpenSearchTarget.newDomain`. */
  public readonly domain?: opensearch.IDomain;
  /** Alarms and dashboard, when `monitoring` is on. */
  public readonly monitoring?: CdcMonitoring;
  /** The rule that sends the maintenance event, when `maintenance` is on. */
  public readonly maintenanceRule?: events.Rule;

  constructor(scope: Construct, id: string, props: DynamoDbOpenSearchCdcProps) {
    super(scope, id);
    const checked = this.validateProps(props);
    const removalPolicy = props.removalPolicy ?? removalPolicyOf(defaultFor(SETTINGS.removalPolicy, 'construct')!);
    this.logGroup = this.createLogGroup(props, removalPolicy);
    this.role = this.createRole();
    const { bound, settings } = this.resolveSettings(props, checked);
    this.changeLogIndex = settings.indexes.changeLog;
    this.mirrorIndex = settings.indexes.mirror;
    this.deadLetterIndex = settings.indexes.deadLetter;
    this.openSearchEndpoint = settings.openSearchEndpoint;
    this.domain = bound.domain;
    this.deadLetterQueue = this.createDeadLetterQueue(checked.deadLetterQueueName, removalPolicy);
    this.handler = this.createFunction(props, settings, bound.network);
    this.addStreamSource(props, checked, settings);
    this.acknowledgeWildcards(settings, bound.network !== undefined);
    if (props.maintenance ?? true) this.maintenanceRule = this.scheduleMaintenance(props.maintenanceSchedule);
    if (checked.monitoring) this.monitoring = this.monitor(props);
  }

  /** Every prop of the settings table by its rule, the table (its stream), and index names known at synth time. */
  private validateProps(props: DynamoDbOpenSearchCdcProps): PropValues & { readonly mirrorIndex: string } {
    const checked = checkProps(this, props);
    this.checkStream(props.table);
    const mirrorIndex = checked.mirrorIndex ?? defaultMirrorIndex(props.table);
    for (const [prop, value] of [
      ['changeLogIndex', checked.changeLogIndex],
      ['mirrorIndex', mirrorIndex],
      ['deadLetterIndex', checked.deadLetterIndex],
    ] as const) {
      if (value !== undefined && Token.isUnresolved(value)) {
        throw new ValidationError(this, prop, 'must be known at synth time (the table name is generated): set it explicitly', value);
      }
    }
    return { ...checked, mirrorIndex };
  }

  private createLogGroup(props: DynamoDbOpenSearchCdcProps, removalPolicy: RemovalPolicy): logs.LogGroup {
    return new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.functionName ? `/aws/lambda/${props.functionName}` : undefined,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy,
    });
  }

  /** Its own role rather than AWSLambdaBasicExecutionRole, which may write to every log group. */
  private createRole(): iam.Role {
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'DynamoDB CDC function: reads its stream, writes its log group, dead-letter queue and OpenSearch indexes',
    });
    this.logGroup.grantWrite(role);
    return role;
  }

  /**
   * The OpenSearch target bound to the role, the function's settings resolved from it and the
   * props, the https and authentication guard, and the grants on the checked index names.
   */
  private resolveSettings(
    props: DynamoDbOpenSearchCdcProps,
    checked: PropValues & { readonly mirrorIndex: string },
  ): { bound: OpenSearchTargetConfig; settings: FunctionSettings } {
    const { target, targetProp } = this.openSearchTarget(props);
    const bound: OpenSearchTargetConfig = ValidationError.check(this, () => target.bind(this, { role: this.role }));
    const settings = ValidationError.check(this, () =>
      resolveFunctionSettings(
        {
          ...checked,
          openSearchEndpoint: bound.endpoint,
          keySchema: checked.keySchema ?? this.keySchemaOf(props.table),
          tableName: props.table.tableName,
          authMode: bound.authMode,
          signingService: bound.signingService,
          signingRegion: bound.signingRegion,
          basicAuthSecretArn: bound.basicAuthSecretArn,
          operatorRoleArns: bound.operatorRoleArns,
        },
        { ...PROP_NAMES, openSearchEndpoint: targetProp, operatorRoleArns: `openSearch (${target.kind}) operatorRoles` },
        isDeployTimeValue,
      ),
    );
    if (!checked.allowInsecureEndpoint && !(settings.auth.mode === 'none' && isLoopbackEndpoint(settings.openSearchEndpoint))) {
      const optOut = `${SETTINGS.allowInsecureEndpoint.prop.name}: true`;
      ValidationError.check(this, () => checkSecureEndpoint(targetProp, settings.openSearchEndpoint, settings.auth.mode, optOut));
    }
    bound.grant(settings.indexes, mirrorAliases(settings));
    return { bound, settings };
  }

  private createDeadLetterQueue(queueName: string | undefined, removalPolicy: RemovalPolicy): sqs.Queue {
    const queue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter destination itself (of the event source mapping); nothing reads it but a re-drive.',
    });
    return queue;
  }

  /** The function, with its settings in its environment; in the target's VPC when it has one. */
  private createFunction(
    props: DynamoDbOpenSearchCdcProps,
    settings: FunctionSettings,
    network: OpenSearchTargetConfig['network'],
  ): NodejsFunction {
    if (network) this.allowNetworkInterfaces();
    const handler = new NodejsFunction(this, 'Handler', {
      functionName: props.functionName,
      description: `CDC from DynamoDB to OpenSearch (${this.changeLogIndex}, ${this.mirrorIndex})`,
      ...ValidationError.check(this, () => handlerCode(undefined, mirrorTransforms(settings))),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(1),
      role: this.role,
      logGroup: this.logGroup,
      environment: ValidationError.check(this, () => toFunctionEnvironment(settings, { POWERTOOLS_SERVICE_NAME: SERVICE_NAME })),
      ...(network
        ? { vpc: network.vpc, vpcSubnets: network.vpcSubnets, securityGroups: network.securityGroups, allowPublicSubnet: false }
        : {}),
    });
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the function is built for (esbuild target node20) and tested on, in every emulator of the local runner; a newer one is adopted deliberately.',
    });
    return handler;
  }

  /** Lambda manages the function's network interfaces: EC2 does not scope these actions to resources. */
  private allowNetworkInterfaces(): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
  }

  /**
   * The stream as the function's event source: bisect, bounded retries, partial batch responses,
   * the dead-letter queue; only the operations some index takes invoke the function.
   */
  private addStreamSource(props: DynamoDbOpenSearchCdcProps, checked: PropValues, settings: FunctionSettings): void {
    this.handler.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
        batchSize: checked.batchSize,
        maxBatchingWindow: props.maxBatchingWindow,
        bisectBatchOnError: true,
        retryAttempts: checked.retryAttempts,
        maxRecordAge: props.maxRecordAge ?? Duration.seconds(checked.maxRecordAgeSeconds!),
        parallelizationFactor: checked.parallelizationFactor,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: operationFilters(settings),
      }),
    );
  }

  /** The rule that sends the maintenance event on the schedule (checked at synth time). */
  private scheduleMaintenance(schedule: events.Schedule | undefined): events.Rule {
    const expression = schedule?.expressionString;
    if (expression !== undefined && !Token.isUnresolved(expression)) {
      ValidationError.check(this, () => checkScheduleExpression(SETTINGS.maintenanceSchedule.prop.name, expression));
    }
    return new events.Rule(this, 'MaintenanceSchedule', {
      description: 'Prunes expired change-log partitions and tombstones of the DynamoDB CDC indexes',
      schedule: schedule ?? events.Schedule.expression(defaultFor(SETTINGS.maintenanceSchedule, 'construct')!),
      targets: [
        new targets.LambdaFunction(this.handler, { event: events.RuleTargetInput.fromObject(MAINTENANCE_EVENT), retryAttempts: 2 }),
      ],
    });
  }

  private monitor(props: DynamoDbOpenSearchCdcProps): CdcMonitoring {
    return new CdcMonitoring(this, 'Monitoring', {
      ...props.monitoringOptions,
      handler: this.handler,
      deadLetterQueue: this.deadLetterQueue,
      maintenance: this.maintenanceRule !== undefined,
    });
  }

  /** The target from `openSearch` or, for existing apps, `openSearchEndpoint`; the prop's name for messages. */
  private openSearchTarget(props: DynamoDbOpenSearchCdcProps): { target: OpenSearchTarget; targetProp: string } {
    if (props.openSearch && props.openSearchEndpoint !== undefined) {
      throw new ValidationError(
        this,
        'openSearchEndpoint',
        'must not be given with openSearch (openSearch says where to write)',
        props.openSearchEndpoint,
      );
    }
    if (props.openSearch) return { target: props.openSearch, targetProp: `openSearch (${props.openSearch.kind})` };
    if (props.openSearchEndpoint !== undefined)
      return { target: OpenSearchTarget.endpoint(props.openSearchEndpoint), targetProp: 'openSearchEndpoint' };
    throw new ValidationError(this, 'openSearch', 'is required: say where the function writes, e.g. OpenSearchTarget.domain(domain)');
  }

  /**
   * The wildcards of the function's policy that cdk-nag reports, each acknowledged by name: the
   * stream's shards, the log streams of its log group, and its index patterns on a domain.
   */
  private acknowledgeWildcards(settings: FunctionSettings, inVpc: boolean): void {
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    const document = Stack.of(this).resolve((policy as iam.Policy).document.toJSON()) as { Statement: { Resource: unknown }[] };
    const findings = new Set<string>();
    for (const statement of document.Statement) {
      for (const resource of ([] as unknown[]).concat(statement.Resource)) {
        const text = nagResourceText(resource);
        if (text !== undefined && text.includes('*')) findings.add(text);
      }
    }
    const patterns = indexPatterns(settings.indexes, mirrorAliases(settings)).join(', ');
    for (const text of findings) {
      const reason =
        text === '*'
          ? 'dynamodb:ListStreams has no resource-level permissions (granted by the event source)' +
            (inVpc
              ? '; nor have the network-interface actions Lambda needs in a VPC (ec2:CreateNetworkInterface, Describe*, DeleteNetworkInterface, Assign/UnassignPrivateIpAddresses).'
              : '.')
          : text.includes('LogGroup')
            ? "The log streams of the function's own log group (logs:CreateLogStream, logs:PutLogEvents)."
            : /\/_cat\/indices\//.test(text)
              ? `The names of the change log's partitions (GET only, a listing): the maintenance finds the expired ones.`
              : `The function's own indexes on the domain (${patterns}), nothing else.`;
      Validations.of(this.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${text}]`, reason });
    }
  }

  /** Every change needs both images (the change log keeps them, the mirror needs the new one). */
  private checkStream(table: dynamodb.ITable): void {
    if (!table.tableStreamArn) {
      throw new ValidationError(this, 'table', 'has no stream; enable one with stream: StreamViewType.NEW_AND_OLD_IMAGES', table.node.path);
    }
    const spec = (table.node.defaultChild as dynamodb.CfnTable | undefined)?.streamSpecification as
      dynamodb.CfnTable.StreamSpecificationProperty | undefined;
    const viewType = spec?.streamViewType;
    if (viewType !== undefined && !Token.isUnresolved(viewType) && viewType !== dynamodb.StreamViewType.NEW_AND_OLD_IMAGES) {
      throw new ValidationError(
        this,
        'table',
        `must have a stream of view type NEW_AND_OLD_IMAGES (stream: StreamViewType.NEW_AND_OLD_IMAGES); its stream is ${viewType}`,
        table.node.path,
      );
    }
  }

  private keySchemaOf(table: dynamodb.ITable): KeySchema {
    if (table instanceof dynamodb.Table) {
      const schema = table.schemaV2();
      if (schema.partitionKeys.length === 1 && schema.sortKeys.length <= 1) {
        return { partitionKey: schema.partitionKeys[0].name, sortKey: schema.sortKeys[0]?.name };
      }
    }
    throw new ValidationError(this, 'keySchema', 'is required when the table is not a Table defined in this app');
  }
}

/** Known only at deploy time: a token, or a list holding one (the ARN of a role made in the app); the function checks it. */
function isDeployTimeValue(value: unknown): boolean {
  return Array.isArray(value) ? value.some(isDeployTimeValue) : typeof value === 'string' && Token.isUnresolved(value);
}

/** The table's name, lowercased, when it is known at synth time (a Table given a tableName). */
function defaultMirrorIndex(table: dynamodb.ITable): string {
  const physical = (table.node.defaultChild as dynamodb.CfnTable | undefined)?.tableName;
  const name = typeof physical === 'string' && !Token.isUnresolved(physical) ? physical : table.tableName;
  return Token.isUnresolved(name) ? name : name.toLowerCase();
}

/** How cdk-nag writes a policy resource in a finding: `<LogicalId.Attr>` for a GetAtt/Ref, text joined. */
function nagResourceText(resource: unknown): string | undefined {
  if (typeof resource === 'string') return resource;
  if (typeof resource !== 'object' || resource === null) return undefined;
  const value = resource as Record<string, any>;
  if (value['Fn::GetAtt']) return `<${value['Fn::GetAtt'][0]}.${value['Fn::GetAtt'][1]}>`;
  if (value.Ref) return `<${value.Ref}>`;
  if (value['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'];
    const texts = (parts as unknown[]).map(nagResourceText);
    return texts.some((text) => text === undefined) ? undefined : texts.join(separator);
  }
  return undefined;
}

/**
 * The event source's filter on `eventName` when no index (no mirror, not the change log) takes
 * some operation: those records never invoke the function (nor cost an invocation). None when
 * every operation is wanted. Where only some indexes take an operation, the function's routing
 * filters.
 */
function operationFilters(settings: Pick<FunctionSettings, 'indexes' | 'routing'>): { [key: string]: unknown }[] | undefined {
  const wanted = wantedOperations(mirrorRoutes(settings), settings.routing?.changeLog);
  if (wanted.length === OPERATIONS.length) return undefined;
  return [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.or(...wanted) })];
}

/** The mirrors that name a transform, each with its prop for messages (`mirrors[1].transform`). */
function mirrorTransforms(settings: FunctionSettings): MirrorTransform[] {
  return (settings.routing?.mirrors ?? []).flatMap((mirror, at) =>
    mirror.transform === undefined
      ? []
      : [{ index: mirror.index, transform: mirror.transform, setting: `${PROP_NAMES.mirrors}[${at}].transform` }],
  );
}

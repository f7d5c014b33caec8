/**
 * Alarms and a dashboard for one pipeline: is it keeping up (iterator age, end-to-end lag), is it
 * losing records (dead-letter queue, dead-lettered records), is the function healthy (errors,
 * throttles). Every alarm notifies one SNS topic, when there is one.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, metricDimensions } from '../lambda/settings';

/** Alarm thresholds and where alarms go. Part of the construct's props as `monitoring`. */
export interface CdcMonitoringOptions {
  /** Alarm when the oldest record the function has not yet processed is older than this. @default Duration.minutes(5) */
  readonly iteratorAgeThreshold?: Duration;
  /** Alarm when the oldest change written in a minute took longer than this from DynamoDB to OpenSearch. @default Duration.minutes(5) */
  readonly endToEndLagThreshold?: Duration;
  /** Alarm when the dead-letter queue holds at least this many messages (batches whose retries ran out). @default 1 */
  readonly deadLetterQueueThreshold?: number;
  /** Alarm when at least this many records were dead-lettered in 5 minutes (refused by OpenSearch for good). @default 1 */
  readonly deadLetteredThreshold?: number;
  /** Alarm when the function failed at least this many times in 5 minutes. @default 5 */
  readonly errorsThreshold?: number;
  /** Alarm when the function was throttled at least this many times in 5 minutes. @default 1 */
  readonly throttlesThreshold?: number;
  /** A topic every alarm (and its return to OK) is sent to. @default a new topic when `alarmEmail` is given, else none */
  readonly alarmTopic?: sns.ITopic;
  /** Subscribes this address to a new, encrypted alarm topic. @default no subscription */
  readonly alarmEmail?: string;
  /** @default `${functionName}` (CloudFormation-generated name when the function has none) */
  readonly dashboardName?: string;
}

/** Properties of {@link CdcMonitoring}. */
export interface CdcMonitoringProps extends CdcMonitoringOptions {
  readonly handler: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  /** Whether a schedule runs the maintenance (then a failed run raises its own alarm). @default false */
  readonly maintenance?: boolean;
}

/** The pipeline's alarms, one attribute each. */
export interface CdcAlarms {
  readonly iteratorAge: cloudwatch.Alarm;
  readonly endToEndLag: cloudwatch.Alarm;
  readonly deadLetterQueue: cloudwatch.Alarm;
  readonly deadLettered: cloudwatch.Alarm;
  readonly errors: cloudwatch.Alarm;
  readonly throttles: cloudwatch.Alarm;
  /** A maintenance run failed (expired partitions or tombstones left in place); when the maintenance is scheduled. */
  readonly maintenance?: cloudwatch.Alarm;
}

/** The metrics alarms and dashboard share, as they are (a label would turn an alarm's metric into metric math). */
interface PipelineMetrics {
  readonly iteratorAge: cloudwatch.Metric;
  readonly endToEndLag: cloudwatch.Metric;
  readonly queueDepth: cloudwatch.Metric;
  readonly deadLettered: cloudwatch.Metric;
  readonly errors: cloudwatch.Metric;
  readonly throttles: cloudwatch.Metric;
}

const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms on the pipeline's metrics, every alarm (and its return to OK) sent to the alarm topic
 * when there is one, and a dashboard of the same metrics.
 */
export class CdcMonitoring extends Construct {
  public readonly alarms: CdcAlarms;
  public readonly dashboard: cloudwatch.Dashboard;
  /** The topic alarms notify (given or created). */
  public readonly alarmTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: CdcMonitoringProps) {
    super(scope, id);
    const metrics = pipelineMetrics(props.handler, props.deadLetterQueue);
    this.alarms = this.createAlarms(metrics, props);
    this.alarmTopic = props.alarmTopic ?? (props.alarmEmail ? this.createTopic(props.alarmEmail) : undefined);
    if (this.alarmTopic) this.notify(this.alarmTopic);
    this.dashboard = this.createDashboard(metrics, props);
  }

  /** One alarm per way the pipeline can fall behind, lose records or fail; thresholds from the props. */
  private createAlarms(metrics: PipelineMetrics, props: CdcMonitoringProps): CdcAlarms {
    const iteratorAgeMs = (props.iteratorAgeThreshold ?? Duration.minutes(5)).toMilliseconds();
    const endToEndLagMs = (props.endToEndLagThreshold ?? Duration.minutes(5)).toMilliseconds();
    return {
      iteratorAge: this.alarm(
        'IteratorAgeAlarm',
        metrics.iteratorAge,
        iteratorAgeMs,
        5,
        `The stream is falling behind: its oldest unprocessed record is ${iteratorAgeMs} ms old or older for 5 minutes.`,
      ),
      endToEndLag: this.alarm(
        'EndToEndLagAlarm',
        metrics.endToEndLag,
        endToEndLagMs,
        5,
        `Changes take ${endToEndLagMs} ms or more from DynamoDB to OpenSearch, 5 minutes running.`,
      ),
      deadLetterQueue: this.alarm(
        'DeadLetterQueueAlarm',
        metrics.queueDepth,
        props.deadLetterQueueThreshold ?? 1,
        1,
        'Batches ran out of retries and wait in the dead-letter queue: re-drive them (cdc redrive).',
      ),
      deadLettered: this.alarm(
        'DeadLetteredAlarm',
        metrics.deadLettered,
        props.deadLetteredThreshold ?? 1,
        1,
        'OpenSearch refused records for good; they are in the dead-letter index.',
      ),
      errors: this.alarm('ErrorsAlarm', metrics.errors, props.errorsThreshold ?? 5, 1, 'The function failed (whole batches are retried).'),
      throttles: this.alarm(
        'ThrottlesAlarm',
        metrics.throttles,
        props.throttlesThreshold ?? 1,
        1,
        'The function was throttled: the stream waits.',
      ),
      ...(props.maintenance
        ? {
            maintenance: this.alarm(
              'MaintenanceAlarm',
              customMetric(props.handler, METRIC.maintenanceFailed, 'Sum', Duration.hours(1)),
              1,
              1,
              'The maintenance failed: expired change-log partitions or tombstones were left in place, or the partition of today or tomorrow could not be created (read the function log; cdc prune runs it by hand).',
            ),
          }
        : {}),
    };
  }

  private alarm(name: string, metric: cloudwatch.IMetric, threshold: number, evaluationPeriods: number, description: string) {
    return new cloudwatch.Alarm(this, name, {
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
  }

  /** Every alarm, and its return to OK, goes to the topic. */
  private notify(topic: sns.ITopic): void {
    const action = new actions.SnsAction(topic);
    for (const each of this.allAlarms()) {
      each.addAlarmAction(action);
      each.addOkAction(action);
    }
  }

  /** Throughput, lag, dead letters, errors and throttles (labelled), and the alarms' state. */
  private createDashboard(metrics: PipelineMetrics, props: CdcMonitoringProps): cloudwatch.Dashboard {
    const sum = (metricName: string) => customMetric(props.handler, metricName, 'Sum', FIVE_MINUTES);
    const graph = (title: string, left: cloudwatch.IMetric[]) => new cloudwatch.GraphWidget({ title, left, width: 12 });
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [
          graph('Throughput (per 5 minutes)', [
            label(sum(METRIC.recordsReceived), 'Records received'),
            label(sum(METRIC.changeLogWritten), 'Change log written'),
            label(sum(METRIC.mirrorWritten), 'Mirror written'),
          ]),
          graph('Lag (ms)', [label(metrics.iteratorAge, 'Iterator age'), label(metrics.endToEndLag, 'End-to-end lag')]),
        ],
        [
          graph('Dead letters', [
            label(metrics.deadLettered, 'Records dead-lettered'),
            label(metrics.queueDepth, 'Dead-letter queue messages'),
          ]),
          graph('Errors and throttles', [
            label(metrics.errors, 'Errors'),
            label(metrics.throttles, 'Throttles'),
            label(sum(METRIC.recordsFailed), 'Records to retry'),
          ]),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.allAlarms(), width: 24 })],
      ],
    });
  }

  private allAlarms(): cloudwatch.Alarm[] {
    return Object.values(this.alarms) as cloudwatch.Alarm[];
  }

  /** An encrypted topic (a customer managed key, which CloudWatch may use to publish) that refuses plain HTTP. */
  private createTopic(email: string): sns.Topic {
    const key = new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Encrypts the DynamoDB CDC alarm topic' });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }
}

/** The function's own metrics (its namespace and dimensions) and the ones Lambda and SQS publish. */
function pipelineMetrics(handler: lambda.IFunction, deadLetterQueue: sqs.IQueue): PipelineMetrics {
  return {
    iteratorAge: handler.metric('IteratorAge', { statistic: 'Maximum', period: MINUTE }),
    endToEndLag: customMetric(handler, METRIC.endToEndLag, 'Maximum', MINUTE),
    queueDepth: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: MINUTE }),
    deadLettered: customMetric(handler, METRIC.deadLettered, 'Sum', FIVE_MINUTES),
    errors: handler.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
    throttles: handler.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES }),
  };
}

/** A metric the function publishes itself (see lambda/settings metric names). */
function customMetric(handler: lambda.IFunction, metricName: string, statistic: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: metricDimensions(handler.functionName),
    statistic,
    period,
  });
}

function label(metric: cloudwatch.Metric, text: string): cloudwatch.Metric {
  return metric.with({ label: text });
}

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

export class CdcMonitoring extends Construct {
  public readonly alarms: CdcAlarms;
  public readonly dashboard: cloudwatch.Dashboard;
  /** The topic alarms notify (given or created). */
  public readonly alarmTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: CdcMonitoringProps) {
    super(scope, id);
    const { handler, deadLetterQueue } = props;
    const minute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);
    const custom = (metricName: string, statistic: string, period: Duration) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: metricDimensions(handler.functionName),
        statistic,
        period,
      });

    // Alarms take the metrics as they are (a label would turn them into metric math); the dashboard labels them.
    const iteratorAge = handler.metric('IteratorAge', { statistic: 'Maximum', period: minute });
    const endToEndLag = custom(METRIC.endToEndLag, 'Maximum', minute);
    const queueDepth = deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: minute });
    const deadLettered = custom(METRIC.deadLettered, 'Sum', fiveMinutes);
    const errors = handler.metricErrors({ statistic: 'Sum', period: fiveMinutes });
    const throttles = handler.metricThrottles({ statistic: 'Sum', period: fiveMinutes });
    const label = (metric: cloudwatch.Metric, text: string) => metric.with({ label: text });

    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, evaluationPeriods: number, description: string) =>
      new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
    const iteratorAgeMs = (props.iteratorAgeThreshold ?? Duration.minutes(5)).toMilliseconds();
    const endToEndLagMs = (props.endToEndLagThreshold ?? Duration.minutes(5)).toMilliseconds();
    this.alarms = {
      iteratorAge: alarm(
        'IteratorAgeAlarm',
        iteratorAge,
        iteratorAgeMs,
        5,
        `The stream is falling behind: its oldest unprocessed record is ${iteratorAgeMs} ms old or older for 5 minutes.`,
      ),
      endToEndLag: alarm(
        'EndToEndLagAlarm',
        endToEndLag,
        endToEndLagMs,
        5,
        `Changes take ${endToEndLagMs} ms or more from DynamoDB to OpenSearch, 5 minutes running.`,
      ),
      deadLetterQueue: alarm(
        'DeadLetterQueueAlarm',
        queueDepth,
        props.deadLetterQueueThreshold ?? 1,
        1,
        'Batches ran out of retries and wait in the dead-letter queue: re-drive them (cdc redrive).',
      ),
      deadLettered: alarm(
        'DeadLetteredAlarm',
        deadLettered,
        props.deadLetteredThreshold ?? 1,
        1,
        'OpenSearch refused records for good; they are in the dead-letter index.',
      ),
      errors: alarm('ErrorsAlarm', errors, props.errorsThreshold ?? 5, 1, 'The function failed (whole batches are retried).'),
      throttles: alarm('ThrottlesAlarm', throttles, props.throttlesThreshold ?? 1, 1, 'The function was throttled: the stream waits.'),
      ...(props.maintenance
        ? {
            maintenance: alarm(
              'MaintenanceAlarm',
              custom(METRIC.maintenanceFailed, 'Sum', Duration.hours(1)),
              1,
              1,
              'The maintenance failed: expired change-log partitions or tombstones were left in place (read the function log; cdc prune runs it by hand).',
            ),
          }
        : {}),
    };

    this.alarmTopic = props.alarmTopic ?? (props.alarmEmail ? this.createTopic(props.alarmEmail) : undefined);
    if (this.alarmTopic) {
      const action = new actions.SnsAction(this.alarmTopic);
      for (const each of Object.values(this.alarms) as cloudwatch.Alarm[]) {
        each.addAlarmAction(action);
        each.addOkAction(action);
      }
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Throughput (per 5 minutes)',
            left: [
              label(custom(METRIC.recordsReceived, 'Sum', fiveMinutes), 'Records received'),
              label(custom(METRIC.changeLogWritten, 'Sum', fiveMinutes), 'Change log written'),
              label(custom(METRIC.mirrorWritten, 'Sum', fiveMinutes), 'Mirror written'),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Lag (ms)',
            left: [label(iteratorAge, 'Iterator age'), label(endToEndLag, 'End-to-end lag')],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Dead letters',
            left: [label(deadLettered, 'Records dead-lettered'), label(queueDepth, 'Dead-letter queue messages')],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Errors and throttles',
            left: [
              label(errors, 'Errors'),
              label(throttles, 'Throttles'),
              label(custom(METRIC.recordsFailed, 'Sum', fiveMinutes), 'Records to retry'),
            ],
            width: 12,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms) as cloudwatch.Alarm[], width: 24 })],
      ],
    });
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

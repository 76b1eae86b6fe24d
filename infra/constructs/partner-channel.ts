import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEPLOYED_PREFIX, type EventSourceSpec, physicalQueueName, type QueueSpec } from '#infra/topology.ts';

export interface PartnerChannelProps {
  /** The queue as the topology declares it (`queues()`): names, FIFO, retries, retention. */
  readonly spec: QueueSpec;
  /**
   * Prefix of the physical queue names, which the operator CLI finds them by (HUB_PREFIX).
   * @default DEPLOYED_PREFIX ('delta-hub')
   */
  readonly namePrefix?: string;
  /**
   * Age of the oldest waiting message above which the outbox alarms: the partner is not
   * taking deliveries.
   * @default Duration.minutes(15)
   */
  readonly maxMessageAge?: Duration;
  /**
   * Where the alarms go (an SNS topic action, say), both when they fire and when they clear, so
   * whoever was paged also learns that the partner is being reached again.
   * @default - the alarms change state and notify no one
   */
  readonly alarmAction?: IAlarmAction;
}

/**
 * One partner's outbound channel: its outbox queue, the DLQ behind it, the alarms that say the
 * partner is not being reached, and (through `addConsumer`) the event source that drains it.
 * Both queues are encrypted with SQS-managed keys and refuse requests without TLS.
 */
export class PartnerChannel extends Construct {
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** Fires as soon as one message has been given up on. */
  readonly deadLetterAlarm: Alarm;
  /** Fires when the oldest message has waited longer than `maxMessageAge`. */
  readonly backlogAlarm: Alarm;

  constructor(scope: Construct, id: string, props: PartnerChannelProps) {
    super(scope, id);
    const { spec } = props;
    const common = {
      fifo: spec.fifo ? true : undefined,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    };
    const prefix = props.namePrefix ?? DEPLOYED_PREFIX;
    const deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...common,
      queueName: physicalQueueName(prefix, spec.dlq.name, spec.fifo),
      retentionPeriod: Duration.days(spec.dlq.retentionDays),
    });
    const queue = new Queue(this, 'Queue', {
      ...common,
      queueName: physicalQueueName(prefix, spec.name, spec.fifo),
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(spec.retentionDays),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
    });
    this.queue = queue;
    this.deadLetterQueue = deadLetterQueue;

    const who = spec.partnerId ? `partner ${spec.partnerId}` : `queue ${spec.name}`;
    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `Messages for ${who} reached the DLQ after ${spec.maxReceiveCount} attempts (${spec.dlq.name})`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const maxAge = props.maxMessageAge ?? Duration.minutes(15);
    this.backlogAlarm = new Alarm(this, 'BacklogAlarm', {
      alarmDescription: `Oldest message for ${who} waited over ${maxAge.toHumanString()} (${spec.name})`,
      metric: queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: Stats.MAXIMUM,
      }),
      threshold: maxAge.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) {
      for (const alarm of [this.deadLetterAlarm, this.backlogAlarm]) {
        alarm.addAlarmAction(props.alarmAction);
        alarm.addOkAction(props.alarmAction);
      }
    }
  }

  /**
   * Drains the outbox into `consumer` with the topology's event-source settings and partial batch
   * responses. Also grants the consumer what Lambda's poller needs on this queue (and only it).
   */
  addConsumer(consumer: IFunction, source: EventSourceSpec): void {
    consumer.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: source.batchSize,
        // Zero means "no batching window": say nothing, as SQS FIFO event sources accept no window.
        ...(source.maxBatchingWindowSeconds > 0
          ? { maxBatchingWindow: Duration.seconds(source.maxBatchingWindowSeconds) }
          : {}),
        maxConcurrency: source.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}

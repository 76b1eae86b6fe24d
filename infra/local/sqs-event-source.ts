import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Lambda's SQS event source mapping, locally: long-polls one queue, invokes the handler with
 * batches of up to `batchSize` records, deletes what succeeded, and leaves the rest to become
 * visible again after the queue's visibility timeout. The queue's redrive policy (moto implements
 * it on receive) moves a message to the DLQ after maxReceiveCount receives, as in AWS.
 *
 * Like Lambda, an invocation that outlives the function timeout (the context's remaining time)
 * fails as a whole: nothing is deleted, whatever the handler does later. The handler cannot be
 * killed in-process, so it runs on in the background; its late result is ignored.
 */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  handler: SqsHandler;
  context: () => Context;
  region: string;
  onError?: (error: unknown) => void;
}

/** The handler did not finish within the function timeout (Lambda: "Task timed out"). */
export class InvocationTimeoutError extends Error {
  override readonly name = 'InvocationTimeoutError';
}

export class SqsEventSource {
  private running = false;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();

  constructor(private readonly options: SqsEventSourceOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.pollOnce();
      } catch (error) {
        if (!this.running) return;
        this.options.onError?.(error);
        await new Promise((done) => setTimeout(done, 500));
      }
    }
  }

  /** One receive → invoke → delete cycle. */
  async pollOnce(): Promise<number> {
    const { Messages } = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: Math.min(this.options.batchSize, 10),
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    if (!Messages || Messages.length === 0) return 0;
    const records = Messages.map((message) => this.toRecord(message));
    let failed: Set<string>;
    try {
      const response = await this.invoke({ Records: records });
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      // A thrown or timed-out invocation fails the whole batch, as in Lambda: nothing is deleted.
      this.options.onError?.(error);
      return Messages.length;
    }
    const done = Messages.filter((message) => !failed.has(message.MessageId as string));
    if (done.length > 0) {
      await this.options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: done.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
    return Messages.length;
  }

  /** Runs the handler against the function timeout; rejects with InvocationTimeoutError. */
  private async invoke(event: SQSEvent): Promise<SQSBatchResponse | undefined> {
    const context = this.options.context();
    const limitMs = context.getRemainingTimeInMillis();
    const invocation = Promise.resolve().then(() => this.options.handler(event, context));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The handler goes on in the background; a late failure must not go unhandled.
        invocation.catch(() => undefined);
        reject(
          new InvocationTimeoutError(
            `${context.functionName} timed out after ${limitMs} ms with ${event.Records.length} record(s); the batch returns to the queue`,
          ),
        );
      }, limitMs);
    });
    try {
      return await Promise.race([invocation, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private toRecord(message: Message): SQSRecord {
    const attributes = (message.Attributes ?? {}) as Record<string, string>;
    return {
      messageId: message.MessageId as string,
      receiptHandle: message.ReceiptHandle as string,
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
        ...(attributes.MessageDeduplicationId
          ? { MessageDeduplicationId: attributes.MessageDeduplicationId }
          : {}),
        ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          {
            dataType: value.DataType ?? 'String',
            ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
            ...(value.BinaryValue === undefined
              ? {}
              : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
          },
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.region,
    };
  }
}

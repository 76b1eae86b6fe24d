import {
  DeleteMessageBatchCommand,
  type DeleteMessageBatchCommandInput,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '#infra/local/lambda-context.ts';
import { InvocationTimeoutError, SqsEventSource, type SqsHandler } from '#infra/local/sqs-event-source.ts';

/**
 * The local event source keeps Lambda's contract: what the handler reports done is deleted, and
 * an invocation that throws or outlives the function timeout deletes nothing. The timeout comes
 * from the context's remaining time, faked here, so nothing waits on a real clock.
 */
const messages: Message[] = ['a', 'b', 'c'].map((id) => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: '{}',
  Attributes: { MessageGroupId: 'g', ApproximateReceiveCount: '1' },
}));

function fakeSqs() {
  const deleted: string[] = [];
  const sqs = {
    send: async (command: unknown) => {
      if (command instanceof ReceiveMessageCommand) return { Messages: messages };
      if (command instanceof DeleteMessageBatchCommand) {
        const input = command.input as DeleteMessageBatchCommandInput;
        deleted.push(...(input.Entries ?? []).map((entry) => entry.ReceiptHandle as string));
        return { Successful: [], Failed: [] };
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  };
  return { sqs: sqs as unknown as SQSClient, deleted };
}

function source(handler: SqsHandler, remainingMs: number) {
  const { sqs, deleted } = fakeSqs();
  const errors: unknown[] = [];
  const context = (): Context => ({
    ...lambdaContext('deliver-callback', 30),
    getRemainingTimeInMillis: () => remainingMs,
  });
  const eventSource = new SqsEventSource({
    sqs,
    queueUrl: 'http://sqs.local/000000000000/outbox-ah-jtt.fifo',
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:outbox-ah-jtt.fifo',
    batchSize: 10,
    region: 'us-east-1',
    handler,
    context,
    onError: (error) => errors.push(error),
  });
  return { eventSource, deleted, errors };
}

describe('SqsEventSource', () => {
  it('deletes the records the handler did not report as failed', async () => {
    const { eventSource, deleted, errors } = source(
      async (): Promise<SQSBatchResponse> => ({ batchItemFailures: [{ itemIdentifier: 'b' }] }),
      60_000,
    );

    expect(await eventSource.pollOnce()).toBe(3);
    expect(deleted).toEqual(['rh-a', 'rh-c']);
    expect(errors).toEqual([]);
  });

  it('treats an invocation that outlives the function timeout as failed: nothing is deleted', async () => {
    let finishLate: (response: SQSBatchResponse) => void = () => undefined;
    const { eventSource, deleted, errors } = source(
      () => new Promise<SQSBatchResponse>((settle) => (finishLate = settle)),
      0,
    );

    expect(await eventSource.pollOnce()).toBe(3);
    expect(errors).toEqual([expect.any(InvocationTimeoutError)]);
    expect(deleted).toEqual([]);

    // A handler that completes after the deadline changes nothing: Lambda would have stopped it.
    finishLate({ batchItemFailures: [] });
    await Promise.resolve();
    expect(deleted).toEqual([]);
  });

  it('passes the handler the context whose remaining time sets the deadline', async () => {
    let seen: Context | undefined;
    const { eventSource } = source(async (_event, context) => {
      seen = context;
      return { batchItemFailures: [] };
    }, 12_345);

    await eventSource.pollOnce();

    expect(seen?.getRemainingTimeInMillis()).toBe(12_345);
  });

  it('treats a throwing invocation as failed: nothing is deleted', async () => {
    const { eventSource, deleted, errors } = source(async () => {
      throw new Error('handler crashed');
    }, 60_000);

    await eventSource.pollOnce();

    expect(deleted).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ message: 'handler crashed' })]);
  });
});

import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface RedriveResult {
  moved: number;
}

/**
 * Moves messages from a dead-letter queue back to its source queue, oldest first, keeping each
 * message's group (order per subject survives). Each message is sent before it is deleted, so a
 * crash mid-way duplicates rather than loses; consumers are idempotent on the event id. The
 * FIFO deduplication id is fresh: reusing the original one within SQS's 5-minute window would
 * make SQS drop the redriven message silently.
 *
 * Works against AWS and emulators alike (moto has no StartMessageMoveTask); in AWS the console's
 * "Start DLQ redrive" does the same for standard queues.
 */
export async function redrive(
  sqs: SQSClient,
  from: { dlqUrl: string; sourceUrl: string },
  options: { max?: number; fifo: boolean },
): Promise<RedriveResult> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  let moved = 0;
  while (moved < max) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from.dlqUrl,
        MaxNumberOfMessages: Math.min(10, max - moved),
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    if (!Messages || Messages.length === 0) break;
    for (const message of Messages) {
      const groupId = message.Attributes?.MessageGroupId;
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: from.sourceUrl,
          MessageBody: message.Body ?? '',
          ...(message.MessageAttributes ? { MessageAttributes: message.MessageAttributes } : {}),
          ...(options.fifo
            ? { MessageGroupId: groupId ?? 'redrive', MessageDeduplicationId: `redrive-${message.MessageId}` }
            : {}),
        }),
      );
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: from.dlqUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      moved++;
    }
  }
  return { moved };
}

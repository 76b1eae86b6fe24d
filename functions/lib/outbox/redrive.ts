import { randomUUID } from 'node:crypto';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface RedriveOptions {
  fifo: boolean;
  /** Move at most this many messages (a positive integer). */
  max?: number;
  /** Long-poll wait per receive, in seconds (default 1). */
  waitTimeSeconds?: number;
  /** Stop after this many receives in a row come back empty (default 2). */
  emptyPollsToStop?: number;
}

export interface RedriveResult {
  moved: number;
  /** Messages the DLQ held (ApproximateNumberOfMessages) when the run started. */
  held: number;
}

/** The port redrive needs: SQSClient, or a fake in tests. */
export type RedriveSqs = Pick<SQSClient, 'send'>;

/**
 * Moves messages from a dead-letter queue back to its source queue, oldest first, each into the
 * message group it came from (so it is still delivered one at a time with its subject's events),
 * at the back of that group. Order per subject does NOT survive a redrive: the dead-lettered event
 * stopped holding its group back when it left the queue, so newer events of the same subject may
 * have been delivered meanwhile, or be queued ahead of it now; the redriven event arrives after
 * them. Partners are told so (docs/protocol.md §11) and compare the CloudEvent `time` with their
 * own state.
 *
 * Each message is sent before it is deleted, so a crash mid-way duplicates rather than loses;
 * consumers are idempotent on the event id. The FIFO deduplication id is fresh on every send:
 * reusing the original one, or one derived only from the message id (the same message may be
 * redriven, fail again and be redriven again), within SQS's 5-minute window would make SQS drop
 * the redriven message silently, and the delete that follows would lose it.
 *
 * A run moves at most what the DLQ held when it started (or `max`, if lower): events that fail
 * again during the run and return to the DLQ wait for the next run instead of looping. Receives
 * long-poll briefly, because a receive without waiting can come back empty from SQS while the
 * queue still holds messages; the run stops after a couple of empty receives in a row.
 *
 * Works against AWS and emulators alike (moto has no StartMessageMoveTask); in AWS the console's
 * "Start DLQ redrive" does the same for standard queues.
 */
export async function redrive(
  sqs: RedriveSqs,
  from: { dlqUrl: string; sourceUrl: string },
  options: RedriveOptions,
): Promise<RedriveResult> {
  if (options.max !== undefined && !(Number.isSafeInteger(options.max) && options.max > 0)) {
    throw new RangeError(`max must be a positive integer, got ${options.max}`);
  }
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  const emptyPollsToStop = options.emptyPollsToStop ?? 2;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: from.dlqUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  const held = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  const bound = Math.min(Number.isFinite(held) ? held : 0, options.max ?? Number.POSITIVE_INFINITY);

  let moved = 0;
  let emptyPolls = 0;
  while (moved < bound && emptyPolls < emptyPollsToStop) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from.dlqUrl,
        MaxNumberOfMessages: Math.min(10, bound - moved),
        WaitTimeSeconds: waitTimeSeconds,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    if (!Messages || Messages.length === 0) {
      emptyPolls++;
      continue;
    }
    emptyPolls = 0;
    for (const message of Messages) {
      const groupId = message.Attributes?.MessageGroupId;
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: from.sourceUrl,
          MessageBody: message.Body ?? '',
          ...(message.MessageAttributes ? { MessageAttributes: message.MessageAttributes } : {}),
          ...(options.fifo
            ? { MessageGroupId: groupId ?? 'redrive', MessageDeduplicationId: `redrive-${randomUUID()}` }
            : {}),
        }),
      );
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: from.dlqUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      moved++;
    }
  }
  return { moved, held };
}

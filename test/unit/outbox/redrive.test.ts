import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  SendMessageCommand,
  type SendMessageCommandInput,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { redrive } from '#lib/outbox/redrive.ts';

/**
 * The redrive loop against a fake SQS: a FIFO DLQ that hands out what is visible, a source queue
 * that records what it is sent, and a log of every call in order.
 */
const DLQ = 'http://sqs.local/000000000000/outbox-ah-jtt-dlq.fifo';
const SOURCE = 'http://sqs.local/000000000000/outbox-ah-jtt.fifo';

interface Parked {
  id: string;
  group: string;
  dedupId: string;
}

class FakeSqs {
  readonly dlq: Message[] = [];
  readonly inFlight = new Map<string, Message>();
  readonly sent: SendMessageCommandInput[] = [];
  readonly receives: ReceiveMessageCommandInput[] = [];
  readonly log: string[] = [];
  /** Receives that come back empty whatever the queue holds (SQS sampling its servers). */
  emptyReceives = new Set<number>();
  /** ApproximateNumberOfMessages as SQS would report it; defaults to the true depth. */
  reportedDepth: number | undefined;
  /** Called after each send to the source queue, e.g. to make an event fail again. */
  onSent: (input: SendMessageCommandInput) => void = () => undefined;
  private handles = 0;

  constructor(parked: Parked[]) {
    for (const message of parked) this.park(message);
  }

  park({ id, group, dedupId }: Parked): void {
    this.dlq.push({
      MessageId: id,
      Body: JSON.stringify({ id }),
      Attributes: { MessageGroupId: group, MessageDeduplicationId: dedupId },
      MessageAttributes: { origin: { DataType: 'String', StringValue: 'hub' } },
    });
  }

  send = async (command: unknown): Promise<unknown> => {
    if (command instanceof GetQueueAttributesCommand) {
      return { Attributes: { ApproximateNumberOfMessages: String(this.reportedDepth ?? this.dlq.length) } };
    }
    if (command instanceof ReceiveMessageCommand) {
      const input = command.input;
      this.receives.push(input);
      if (this.emptyReceives.has(this.receives.length)) return { Messages: [] };
      const batch = this.dlq.splice(0, input.MaxNumberOfMessages ?? 1).map((message) => {
        const handle = `rh-${++this.handles}`;
        this.inFlight.set(handle, message);
        return { ...message, ReceiptHandle: handle };
      });
      this.log.push(...batch.map((message) => `receive ${message.MessageId}`));
      return { Messages: batch };
    }
    if (command instanceof SendMessageCommand) {
      this.sent.push(command.input);
      this.log.push(`send ${(JSON.parse(command.input.MessageBody ?? '{}') as { id: string }).id}`);
      this.onSent(command.input);
      return { MessageId: `new-${this.sent.length}` };
    }
    if (command instanceof DeleteMessageCommand) {
      const message = this.inFlight.get(command.input.ReceiptHandle ?? '');
      if (!message) throw new Error(`unknown receipt handle ${command.input.ReceiptHandle}`);
      this.inFlight.delete(command.input.ReceiptHandle ?? '');
      this.log.push(`delete ${message.MessageId}`);
      return {};
    }
    throw new Error(`unexpected command ${String(command)}`);
  };
}

const parked = (count: number, groups = ['booking-1', 'booking-2', 'booking-3']): Parked[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `m${i}`,
    group: groups[i % groups.length] as string,
    dedupId: `event-${i}`,
  }));
const sentIds = (sqs: FakeSqs) =>
  sqs.sent.map((input) => (JSON.parse(input.MessageBody ?? '{}') as { id: string }).id);

describe('redrive', () => {
  it('moves every parked message of several groups back, oldest first, into its own group', async () => {
    const sqs = new FakeSqs(parked(25));

    const result = await redrive(sqs, { dlqUrl: DLQ, sourceUrl: SOURCE }, { fifo: true });

    expect(result).toEqual({ moved: 25, held: 25 });
    expect(sentIds(sqs)).toEqual(parked(25).map((message) => message.id));
    expect(sqs.sent.map((input) => input.MessageGroupId)).toEqual(parked(25).map((message) => message.group));
    expect(sqs.sent.every((input) => input.QueueUrl === SOURCE)).toBe(true);
    expect(sqs.sent[0]?.MessageAttributes).toEqual({ origin: { DataType: 'String', StringValue: 'hub' } });
    expect(sqs.dlq).toEqual([]);
    expect(sqs.inFlight.size).toBe(0);
  });

  it('gives every send a fresh deduplication id, also when the same message is redriven twice', async () => {
    const sqs = new FakeSqs(parked(3));
    await redrive(sqs, { dlqUrl: DLQ, sourceUrl: SOURCE }, { fifo: true });
    // m0 fails again and is parked once more, with the same MessageId, within SQS's 5-minute window.
    sqs.park({ id: 'm0', group: 'booking-1', dedupId: 'event-0' });
    await redrive(sqs, { dlqUrl: DLQ, sourceUrl: SOURCE }, { fifo: true });

    const dedupIds = sqs.sent.map((input) => input.MessageDeduplicationId);
    expect(dedupIds).toHaveLength(4);
    expect(new Set(dedupIds).size).toBe(4);
    for (const original of parked(3)) expect(dedupIds).not.toContain(original.dedupId);
  });

  it('sends each message to the source queue before deleting it from the DLQ', async () => {
    const sqs = new FakeSqs(parked(12));

    await redrive(sqs, { dlqUrl: DLQ, sourceUrl: SOURCE }, { fifo: true });

    const deletes = sqs.log.filter((entry) => entry.startsWith('delete '));
    expect(deletes).toHaveLength(12);
    for (const entry of deletes) {
      const id = entry.slice('delete '.length);
      expect(sqs.log.indexOf(`send ${id}`)).toBeGreaterThanOrEqual(0);
      expect(sqs.log.indexOf(`send ${id}`)).toBeLessThan(sqs.log.indexOf(entry));
    }
  });

  it('moves no more than --max, and leaves the rest parked', async () => {
    const sqs = new FakeSqs(parked(25));

    const result = await redrive(sqs, { dlqUrl: DLQ, sourceUrl: SOURCE }, { fifo: true, max: 12 });

    expect(result.moved).toBe(12);
    expect(sentIds(sqs)).toEqual(parked(12).map((message) => message.id));
    expect(sqs.receives.map((input) => input.MaxNumberOfMessages)).toEqual([10, 2]);
    expect(sqs.dlq).toHaveLength(13);
  });

  it('stops at what the DLQ held when it started, so events that fail again do not loop', async () => {
    const sqs = new FakeSqs(parked(4));
    // The partner is still down: each redriven event is dead-lettered again straight away.
    let again = 0;
    sqs.onSent = (input) => {
      const { id } = JSON.parse(input.MessageBody ?? '{}') as { id: string };
      sqs.park({ id, group: input.MessageGroupId ?? '', dedupId: `again-${++again}` });
    };

    const result = await redrive(sqs, { dlqUrl: DLQ, sourceUrl: SOURCE }, { fifo: true });

    expect(result).toEqual({ moved: 4, held: 4 });
    expect(sqs.sent).toHaveLength(4);
    expect(sqs.dlq).toHaveLength(4);
  });

  it('long-polls, and does not give up on a single empty receive while messages remain', async () => {
    const sqs = new FakeSqs(parked(15));
    sqs.emptyReceives = new Set([1, 3]);

    const result = await redrive(sqs, { dlqUrl: DLQ, sourceUrl: SOURCE }, { fifo: true });

    expect(result.moved).toBe(15);
    expect(sqs.receives.every((input) => (input.WaitTimeSeconds ?? 0) >= 1)).toBe(true);
    expect(sqs.receives.every((input) => (input.WaitTimeSeconds ?? 0) <= 2)).toBe(true);
  });

  it('stops after consecutive empty receives when the DLQ held fewer than it reported', async () => {
    const sqs = new FakeSqs(parked(3));
    sqs.reportedDepth = 50;

    const result = await redrive(sqs, { dlqUrl: DLQ, sourceUrl: SOURCE }, { fifo: true });

    expect(result).toEqual({ moved: 3, held: 50 });
    // One receive with the three messages, then two empty ones.
    expect(sqs.receives).toHaveLength(3);
  });

  it('does not receive at all from an empty DLQ', async () => {
    const sqs = new FakeSqs([]);

    expect(await redrive(sqs, { dlqUrl: DLQ, sourceUrl: SOURCE }, { fifo: true })).toEqual({
      moved: 0,
      held: 0,
    });
    expect(sqs.receives).toEqual([]);
  });

  it('sends no group or deduplication id to a standard queue', async () => {
    const sqs = new FakeSqs(parked(2));

    await redrive(sqs, { dlqUrl: DLQ, sourceUrl: SOURCE }, { fifo: false });

    expect(sqs.sent.map((input) => [input.MessageGroupId, input.MessageDeduplicationId])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
    ]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses max = %s', async (max) => {
    const sqs = new FakeSqs(parked(2));

    await expect(redrive(sqs, { dlqUrl: DLQ, sourceUrl: SOURCE }, { fifo: true, max })).rejects.toThrow(
      RangeError,
    );
    expect(sqs.sent).toEqual([]);
  });
});

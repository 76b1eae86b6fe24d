import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '#infra/local/lambda-context.ts';
import { DeliveryDeferredError, withDeliveryBudget } from '#lib/delivery/delivery-budget.ts';
import { DeliveryFailedError } from '#lib/delivery/signed-delivery.ts';

/**
 * The time budget of a callback batch, with a fake clock: "time" passes only when a fake
 * delivery says how long it took, so nothing here waits or depends on the machine's speed.
 */
const FUNCTION_TIMEOUT_MS = 30_000;
const ATTEMPT_MS = 10_000;
const MARGIN_MS = 3_000;

class FakeClock {
  elapsed = 0;
  constructor(private readonly limitMs = FUNCTION_TIMEOUT_MS) {}
  remainingMs = (): number => Math.max(0, this.limitMs - this.elapsed);
}

type Outcome = { takesMs: number; fails?: Error };

/** A delivery that takes the given time and then succeeds or throws, logging every attempt. */
function fakePartner(clock: FakeClock, outcome: (id: string) => Outcome) {
  const attempted: string[] = [];
  const deliver = async (record: SQSRecord): Promise<void> => {
    attempted.push(record.messageId);
    const { takesMs, fails } = outcome(record.messageId);
    clock.elapsed += takesMs;
    if (fails) throw fails;
  };
  return { attempted, deliver };
}

const hang = (): Outcome => ({
  takesMs: ATTEMPT_MS,
  fails: new DeliveryFailedError('partner ah-jtt unreachable at https://ah.example', undefined),
});
const answers = (status: number, takesMs = 50): Outcome =>
  status >= 200 && status < 300
    ? { takesMs }
    : { takesMs, fails: new DeliveryFailedError(`partner ah-jtt answered ${status}`, status) };

function record(id: string, group: string): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: '{}',
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
      MessageGroupId: group,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:outbox-ah-jtt.fifo',
    awsRegion: 'us-east-1',
  };
}

/** Ten records in five groups, as one receive from a partner's FIFO queue can hand over. */
const batch = (): SQSEvent => ({
  Records: Array.from({ length: 10 }, (_, i) => record(`m${i}`, `subject-${i % 5}`)),
});

/** deliver-callback's processing, with the fake partner and clock in place of the real ones. */
async function processBatch(event: SQSEvent, clock: FakeClock, deliver: (r: SQSRecord) => Promise<void>) {
  const budgeted = withDeliveryBudget(deliver, {
    remainingMs: clock.remainingMs,
    attemptMs: ATTEMPT_MS,
    marginMs: MARGIN_MS,
  });
  return processPartialResponse(event, budgeted, new SqsFifoPartialProcessorAsync(), {
    context: lambdaContext('deliver-callback', FUNCTION_TIMEOUT_MS / 1000),
    skipGroupOnError: true,
    // The handler lets a fully failed batch throw (same effect in Lambda: nothing is deleted);
    // here the list of failures is what is asserted.
    throwOnFullBatchFailure: false,
  });
}
const failedIds = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
  response.batchItemFailures.map((failure) => failure.itemIdentifier);

describe('withDeliveryBudget', () => {
  it('after a timeout, fails the rest of the batch without trying it, well inside the function timeout', async () => {
    const clock = new FakeClock();
    const partner = fakePartner(clock, hang);

    const response = await processBatch(batch(), clock, partner.deliver);

    expect(partner.attempted).toEqual(['m0']);
    expect(failedIds(response)).toEqual(batch().Records.map((r) => r.messageId));
    expect(clock.elapsed).toBeLessThan(FUNCTION_TIMEOUT_MS);
  });

  it('stops attempting once one more attempt would not fit, and returns the rest untried', async () => {
    // A slow partner that does answer: 9 s per delivery. 30 s fits two attempts plus margin.
    const clock = new FakeClock();
    const partner = fakePartner(clock, () => answers(204, 9_000));

    const response = await processBatch(batch(), clock, partner.deliver);

    expect(partner.attempted).toEqual(['m0', 'm1']);
    expect(failedIds(response)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    // Stopped with 12 s left: under the 13 s one more attempt may need.
    expect(clock.remainingMs()).toBe(12_000);
  });

  it('goes on with other subjects after a partner answers with an error status', async () => {
    const clock = new FakeClock();
    const partner = fakePartner(clock, (id) => answers(id === 'm1' ? 503 : 204));

    const response = await processBatch(batch(), clock, partner.deliver);

    // m6 shares m1's group and is held back behind it (skipGroupOnError); everything else is tried.
    expect(partner.attempted).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm7', 'm8', 'm9']);
    expect(failedIds(response)).toEqual(['m1', 'm6']);
  });

  it('goes on after a record fails for a reason of its own (not the partner being unreachable)', async () => {
    const clock = new FakeClock();
    const partner = fakePartner(clock, (id) =>
      id === 'm0' ? { takesMs: 5, fails: new Error('message m0 is not JSON') } : answers(204),
    );

    const response = await processBatch(batch(), clock, partner.deliver);

    expect(partner.attempted).toHaveLength(9);
    expect(failedIds(response)).toEqual(['m0', 'm5']);
  });

  it('says why a record was deferred, and how many attempts came before it', async () => {
    const clock = new FakeClock();
    const partner = fakePartner(clock, hang);
    const deliver = withDeliveryBudget(partner.deliver, {
      remainingMs: clock.remainingMs,
      attemptMs: ATTEMPT_MS,
      marginMs: MARGIN_MS,
    });
    const [first, second] = batch().Records as [SQSRecord, SQSRecord];

    await expect(deliver(first)).rejects.toBeInstanceOf(DeliveryFailedError);
    const deferred = await deliver(second).catch((error: unknown) => error);

    expect(deferred).toBeInstanceOf(DeliveryDeferredError);
    expect(deferred).toMatchObject({ reason: 'partner-unreachable', attemptedBefore: 1 });
    expect((deferred as Error).cause).toBeInstanceOf(DeliveryFailedError);
  });

  it('defers even the first record when the invocation cannot hold one attempt (misconfiguration)', async () => {
    const clock = new FakeClock(ATTEMPT_MS + MARGIN_MS - 1);
    const partner = fakePartner(clock, () => answers(204));
    const deliver = withDeliveryBudget(partner.deliver, {
      remainingMs: clock.remainingMs,
      attemptMs: ATTEMPT_MS,
      marginMs: MARGIN_MS,
    });

    const deferred = await deliver(record('m0', 'g')).catch((error: unknown) => error);

    expect(deferred).toMatchObject({ name: 'DeliveryDeferredError', reason: 'deadline', attemptedBefore: 0 });
    expect(partner.attempted).toEqual([]);
  });

  it('attempts a record when exactly one attempt plus margin is left', async () => {
    const clock = new FakeClock(ATTEMPT_MS + MARGIN_MS);
    const partner = fakePartner(clock, () => answers(204));
    const deliver = withDeliveryBudget(partner.deliver, {
      remainingMs: clock.remainingMs,
      attemptMs: ATTEMPT_MS,
      marginMs: MARGIN_MS,
    });

    await deliver(record('m0', 'g'));

    expect(partner.attempted).toEqual(['m0']);
  });

  it('starts every batch afresh: an unreachable partner in one invocation does not defer the next', async () => {
    const down = new FakeClock();
    await processBatch(batch(), down, fakePartner(down, hang).deliver);

    const clock = new FakeClock();
    const partner = fakePartner(clock, () => answers(204));
    const response = await processBatch(batch(), clock, partner.deliver);

    expect(partner.attempted).toHaveLength(10);
    expect(failedIds(response)).toEqual([]);
  });
});

import { DeliveryFailedError } from '#lib/delivery/signed-delivery.ts';

/**
 * Keeps a batch of deliveries inside the invocation's time limit.
 *
 * The FIFO batch processor works through a batch one record after another. With a partner that
 * hangs, each POST waits for the whole delivery timeout, and a batch of ten would outlast the
 * function: Lambda then fails the whole batch, records never tried included, and every one of
 * them moves a receive closer to the DLQ. So, before each record:
 *
 * - if the time left cannot hold one more attempt (delivery timeout + margin), the record is
 *   deferred, not attempted;
 * - once an attempt in this batch found the partner unreachable (timeout or connection failure:
 *   a DeliveryFailedError without a status), the remaining records are deferred at once rather
 *   than each waiting out the timeout. Every record of one invocation comes from one partner's
 *   queue, so one unreachable endpoint speaks for the rest of the batch.
 *
 * A deferred record fails fast and returns to the queue with its group, in order. SQS still
 * counts the receive (the message was handed to the function), so deferral slows, but does not
 * stop, an untried event's way to the DLQ; it is still far better than a timed-out invocation.
 */
export class DeliveryDeferredError extends Error {
  override readonly name = 'DeliveryDeferredError';
  constructor(
    message: string,
    readonly reason: 'deadline' | 'partner-unreachable',
    /** Attempts made in this batch before this record was deferred. */
    readonly attemptedBefore: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface DeliveryBudget {
  /** Time left in this invocation, in ms (Lambda: `context.getRemainingTimeInMillis()`). */
  remainingMs: () => number;
  /** The longest one delivery attempt can wait for the partner (the POST timeout). */
  attemptMs: number;
  /** Room for the rest of an attempt (registry lookup, signing, idempotency writes) and the reply. */
  marginMs: number;
}

/** True for a failed attempt that got no answer at all: timeout or connection failure. */
export const isUnreachable = (error: unknown): error is DeliveryFailedError =>
  error instanceof DeliveryFailedError && error.status === undefined;

/**
 * Wraps a record handler for one invocation (build a new one per batch: it remembers what this
 * batch has seen).
 *
 * @example
 *   const deliver = withDeliveryBudget(deliverRecord, {
 *     remainingMs: () => context.getRemainingTimeInMillis(), attemptMs: 10_000, marginMs: 3_000,
 *   });
 *   await processPartialResponse(event, deliver, new SqsFifoPartialProcessorAsync(), options);
 */
export function withDeliveryBudget<R>(
  deliver: (record: R) => Promise<void>,
  budget: DeliveryBudget,
): (record: R) => Promise<void> {
  let attempted = 0;
  let unreachable: DeliveryFailedError | undefined;
  return async (record) => {
    if (unreachable) {
      throw new DeliveryDeferredError(
        'not attempted: the partner was unreachable earlier in this batch',
        'partner-unreachable',
        attempted,
        { cause: unreachable },
      );
    }
    const remaining = budget.remainingMs();
    const needed = budget.attemptMs + budget.marginMs;
    if (remaining < needed) {
      throw new DeliveryDeferredError(
        `not attempted: ${remaining} ms left in the invocation, one attempt needs up to ${needed} ms`,
        'deadline',
        attempted,
      );
    }
    attempted++;
    try {
      await deliver(record);
    } catch (error) {
      if (isUnreachable(error)) unreachable = error;
      throw error;
    }
  };
}

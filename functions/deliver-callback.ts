import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamoClient } from '#lib/aws/clients.ts';
import { integerEnv, requireEnv } from '#lib/config.ts';
import { DeliveryDeferredError, withDeliveryBudget } from '#lib/delivery/delivery-budget.ts';
import { deliverSigned } from '#lib/delivery/signed-delivery.ts';
import { hubSigner, partnerDirectory } from '#lib/hub-runtime.ts';
import { logger } from '#lib/logger.ts';
import { type PartnerEvent, partnerEventContract } from '#lib/outbox/partner-event.ts';
import { tableEnvName } from '#lib/resource-env.ts';

/**
 * Consumer of the partner outbox queues: delivers each event to its partner's endpoint as a
 * signed POST. FIFO partial batches with skipGroupOnError: a failing subject (message group)
 * is retried on its own while other subjects in the batch go on; after maxReceiveCount the
 * queue moves the message to the partner's DLQ (redrive with `npm run hub-admin -- redrive`).
 * Idempotent on the event id: a message redelivered after a successful POST is not POSTed again.
 *
 * Records are delivered one after another, so the batch is kept inside the function's time limit
 * (functions/lib/delivery/delivery-budget.ts): a record is only attempted while one more attempt
 * fits, and once the partner is found unreachable the rest of the batch goes back untried at once.
 */
const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: requireEnv(tableEnvName('idempotency')),
  awsSdkV3Client: dynamoClient(),
});
const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: 'id',
  // Longer than a message can live in queue + DLQ (14 days), so a redrive is still deduplicated.
  expiresAfterSeconds: 15 * 24 * 3600,
});
const timeoutMs = integerEnv('DELIVERY_TIMEOUT_MS', 10_000, { min: 100, max: 60_000 });
/** Room around each POST: registry lookup, KMS signing, idempotency writes, the batch response. */
const marginMs = 3_000;

export class UndeliverableEventError extends Error {
  override readonly name = 'UndeliverableEventError';
}

const deliverOnce = makeIdempotent(
  async (event: PartnerEvent): Promise<{ status: number; deliveredAt: string }> => {
    const partner = await partnerDirectory().get(event.partnerid);
    if (!partner?.endpoint)
      throw new UndeliverableEventError(`partner ${event.partnerid} has no callback endpoint`);
    if (partner.status !== 'active') {
      // Held, not dropped: retries end in the DLQ, to be redriven once the partner is reinstated.
      throw new UndeliverableEventError(`partner ${event.partnerid} is suspended; delivery held`);
    }
    const status = await deliverSigned(partner.endpoint, event, {
      signer: await hubSigner(),
      fetch,
      now: () => new Date(),
      timeoutMs,
    });
    return { status, deliveredAt: new Date().toISOString() };
  },
  { persistenceStore, config: idempotency },
);

async function deliverRecord(record: SQSRecord): Promise<void> {
  let event: unknown;
  try {
    event = JSON.parse(record.body);
  } catch (cause) {
    throw new UndeliverableEventError(`message ${record.messageId} is not JSON`, { cause });
  }
  const problems = partnerEventContract.check(event);
  if (problems.length > 0) {
    throw new UndeliverableEventError(
      `message ${record.messageId} breaks ${partnerEventContract.schemaId}: ${JSON.stringify(problems)}`,
    );
  }
  const result = await deliverOnce(event as PartnerEvent);
  logger.info('event delivered', { eventId: (event as PartnerEvent).id, ...result });
}

/** Logs why a record failed; the processor reports it in `batchItemFailures`. */
function logFailure(record: SQSRecord, error: unknown): void {
  if (error instanceof DeliveryDeferredError) {
    if (error.reason === 'deadline' && error.attemptedBefore === 0) {
      // Not one attempt fits in a fresh invocation: the function timeout is too short for
      // DELIVERY_TIMEOUT_MS, and every event would go to the DLQ untried.
      logger.error('function timeout leaves no room for a delivery attempt', {
        messageId: record.messageId,
        deliveryTimeoutMs: timeoutMs,
        marginMs,
        reason: error.message,
      });
    } else {
      logger.info('event deferred to a later invocation', {
        messageId: record.messageId,
        reason: error.message,
      });
    }
    return;
  }
  // Info, not warn: a failed attempt is retried; the DLQ alarm is the signal to act on.
  logger.info('event not delivered', { messageId: record.messageId, error });
}

export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    idempotency.registerLambdaContext(context);
    // One budget per invocation: it remembers whether this batch already found the partner down.
    const deliver = withDeliveryBudget(deliverRecord, {
      remainingMs: () => context.getRemainingTimeInMillis(),
      attemptMs: timeoutMs,
      marginMs,
    });
    const deliverLogged = async (record: SQSRecord): Promise<void> => {
      try {
        await deliver(record);
      } catch (error) {
        logFailure(record, error);
        throw error;
      }
    };
    return processPartialResponse(event, deliverLogged, new SqsFifoPartialProcessorAsync(), {
      context,
      skipGroupOnError: true,
    });
  });

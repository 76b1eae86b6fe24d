import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ValidationError } from '#lib/errors.ts';
import { type PartnerEvent, partnerEventContract } from '#lib/outbox/partner-event.ts';

/** Port: queues an event for delivery to its partner's callback endpoint. */
export interface PartnerOutbox {
  hasChannel(partnerId: string): boolean;
  enqueue(event: PartnerEvent): Promise<void>;
}

/**
 * One FIFO queue per partner, so a partner whose endpoint is down backs up only its own queue.
 * The message group is the event's subject (order kept per subject, e.g. per booking) and the
 * deduplication id is the event id, so a retried enqueue within SQS's 5-minute window is dropped
 * by SQS and a later one by the consumer's idempotency record.
 */
export class SqsPartnerOutbox implements PartnerOutbox {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: Readonly<Record<string, string>>,
  ) {}

  hasChannel(partnerId: string): boolean {
    return Object.hasOwn(this.queueUrls, partnerId);
  }

  async enqueue(event: PartnerEvent): Promise<void> {
    const problems = partnerEventContract.check(event);
    if (problems.length > 0) {
      throw new ValidationError(`outbound event breaks ${partnerEventContract.schemaId}`, problems);
    }
    const queueUrl = this.queueUrls[event.partnerid];
    if (queueUrl === undefined) throw new Error(`partner ${event.partnerid} has no outbox queue`);
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(event),
        MessageGroupId: event.subject ?? event.partnerid,
        MessageDeduplicationId: event.id,
      }),
    );
  }
}

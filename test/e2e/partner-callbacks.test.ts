import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxQueueName, partnerChannel } from '#infra/topology.ts';
import { partnerEvent } from '#lib/outbox/partner-event.ts';
import { redrive } from '#lib/outbox/redrive.ts';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

/**
 * The outbound half: events queued for a partner reach its endpoint as hub-signed POSTs, once,
 * and a partner that keeps failing sees its events parked in its own DLQ (other partners
 * unaffected) until an operator redrives them.
 */
let t: TestHub;

beforeAll(async () => {
  t = await startTestHub({ visibilityTimeoutSeconds: 1 });
});
afterAll(async () => {
  await t?.stop();
});

const queueUrl = (name: string) => t.hub.resources.queueUrls[name] as string;

async function depth(name: string): Promise<number> {
  const { Attributes } = await t.hub.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl(name),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

describe('partner callbacks', () => {
  it('echo with callback: the partner receives a hub-signed CloudEvent with the same id', async () => {
    const answer = await t.call('sh-jtw', 'POST', '/v1/echo', { message: '回调测试', callback: true });
    expect(answer.status).toBe(200);
    const eventId = answer.body.callbackEventId as string;
    const received = await eventually(() => t.sandbox.received('sh-jtw').find((r) => r.event.id === eventId));
    expect(received.event).toMatchObject({
      type: 'cn.yrd.deltahub.echo.v1',
      partnerid: 'sh-jtw',
      data: { message: '回调测试' },
    });
    expect(received.signatureHeader).toMatchObject({
      iss: 'delta-hub',
      typ: 'delta-hub-request+jws',
      htm: 'POST',
      htu: '/partners/sh-jtw/events',
    });
  });

  it('asks for a callback channel the partner does not have with a 400 naming the field', async () => {
    const answer = await t.call('zj-checkpoint-jiaxing', 'POST', '/v1/echo', {
      message: 'x',
      callback: true,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ pointer: '/callback' })]);
  });

  it('delivers an event enqueued twice (at-least-once upstream) only once', async () => {
    const event = partnerEvent('zj-jtt', 'echo.v1', { message: 'dup' }, { subject: 'dup-test' });
    for (const attempt of [1, 2]) {
      await t.hub.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl(outboxQueueName('zj-jtt')),
          MessageBody: JSON.stringify(event),
          MessageGroupId: 'dup-test',
          MessageDeduplicationId: `${event.id}-${attempt}`,
        }),
      );
    }
    await eventually(() => t.sandbox.received('zj-jtt').find((r) => r.event.id === event.id));
    await eventually(async () => ((await depth(outboxQueueName('zj-jtt'))) === 0 ? true : undefined));
    expect(t.sandbox.received('zj-jtt').filter((r) => r.event.id === event.id)).toHaveLength(1);
  });

  it('parks the events of a failing partner in its DLQ without holding up others, and redrives them', async () => {
    t.sandbox.respondWith('ah-jtt', 503);
    const stuck = partnerEvent('ah-jtt', 'echo.v1', { message: 'while down' }, { subject: 'outage' });
    await t.hub.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl(outboxQueueName('ah-jtt')),
        MessageBody: JSON.stringify(stuck),
        MessageGroupId: 'outage',
        MessageDeduplicationId: stuck.id,
      }),
    );
    // Another partner's traffic flows while Anhui's endpoint is down.
    const other = await t.call('js-jtt', 'POST', '/v1/echo', { message: 'still flowing', callback: true });
    await eventually(() =>
      t.sandbox.received('js-jtt').find((r) => r.event.id === other.body.callbackEventId),
    );

    const dlq = `${outboxQueueName('ah-jtt')}-dlq`;
    await eventually(async () => ((await depth(dlq)) === 1 ? true : undefined), 40_000);
    expect(await depth(outboxQueueName('ah-jtt'))).toBe(0);
    expect(t.sandbox.received('ah-jtt').find((r) => r.event.id === stuck.id)).toBeUndefined();
    expect(partnerChannel.maxReceiveCount).toBeGreaterThan(1);

    t.sandbox.respondWith('ah-jtt', undefined);
    const result = await redrive(
      t.hub.clients.sqs,
      { dlqUrl: queueUrl(dlq), sourceUrl: queueUrl(outboxQueueName('ah-jtt')) },
      { fifo: true },
    );
    expect(result.moved).toBe(1);
    const delivered = await eventually(() =>
      t.sandbox.received('ah-jtt').find((r) => r.event.id === stuck.id),
    );
    expect(delivered.event.data).toEqual({ message: 'while down' });
    expect(await depth(dlq)).toBe(0);
  }, 60_000);

  it('sends a message that is not a valid event to the DLQ instead of losing it', async () => {
    await t.hub.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl(outboxQueueName('js-jianbi-lock')),
        MessageBody: '{"not":"an event"}',
        MessageGroupId: 'poison',
        MessageDeduplicationId: 'poison-1',
      }),
    );
    await eventually(
      async () => ((await depth(`${outboxQueueName('js-jianbi-lock')}-dlq`)) === 1 ? true : undefined),
      40_000,
    );
  }, 60_000);
});

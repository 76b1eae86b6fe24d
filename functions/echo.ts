import { sqsClient } from '#lib/aws/clients.ts';
import { jsonEnv } from '#lib/config.ts';
import { ValidationError } from '#lib/errors.ts';
import { signedRoute } from '#lib/http/signed-route.ts';
import { partnerEvent } from '#lib/outbox/partner-event.ts';
import { type PartnerOutbox, SqsPartnerOutbox } from '#lib/outbox/partner-outbox.ts';
import { ROLES } from '#lib/registry/partner.ts';
import { OUTBOX_QUEUE_URLS_ENV } from '#lib/resource-env.ts';
import { compileSchema } from '#lib/validation.ts';
import echoRequestSchema from '#schemas/echo-request/v1.json' with { type: 'json' };
import echoResponseSchema from '#schemas/echo-response/v1.json' with { type: 'json' };

/**
 * POST /v1/echo: a partner's connectivity check. Proves the whole signed path (signature,
 * registry, replay store, schema, signed answer) and, with `callback: true`, the partner's
 * inbound channel too (outbox queue → signed POST to its endpoint).
 */
export interface EchoRequest {
  message: string;
  callback?: boolean;
}

export interface EchoResponse {
  message: string;
  partnerId: string;
  kid: string;
  receivedAt: string;
  correlationId: string;
  callbackEventId?: string;
}

const isStringMap = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' && value !== null && Object.values(value).every((url) => typeof url === 'string');

const outbox: PartnerOutbox = new SqsPartnerOutbox(
  sqsClient(),
  jsonEnv(OUTBOX_QUEUE_URLS_ENV, isStringMap, 'an object of partner id → queue URL'),
);

/** The use case, free of HTTP: what the route does once the caller is verified. */
export async function echo(
  input: {
    partnerId: string;
    kid: string;
    hasEndpoint: boolean;
    request: EchoRequest;
    correlationId: string;
  },
  ports: { outbox: PartnerOutbox; now: () => Date },
): Promise<EchoResponse> {
  const receivedAt = ports.now().toISOString();
  const response: EchoResponse = {
    message: input.request.message,
    partnerId: input.partnerId,
    kid: input.kid,
    receivedAt,
    correlationId: input.correlationId,
  };
  if (!input.request.callback) return response;
  if (!ports.outbox.hasChannel(input.partnerId) || !input.hasEndpoint) {
    throw new ValidationError('callback requested but no callback channel is configured for this partner', [
      {
        pointer: '/callback',
        detail: `partner ${input.partnerId} has no callback endpoint; omit callback or ask the hub operators to add one`,
      },
    ]);
  }
  const event = partnerEvent(
    input.partnerId,
    'echo.v1',
    { message: input.request.message, correlationId: input.correlationId },
    { now: ports.now() },
  );
  await ports.outbox.enqueue(event);
  return { ...response, callbackEventId: event.id };
}

export const handler = signedRoute(
  {
    roles: ROLES,
    request: compileSchema<EchoRequest>(echoRequestSchema),
    response: compileSchema<EchoResponse>(echoResponseSchema),
  },
  async ({ caller, body, correlationId }) => ({
    status: 200,
    body: await echo(
      {
        partnerId: caller.partner.partnerId,
        kid: caller.key.kid,
        hasEndpoint: caller.partner.endpoint !== undefined,
        request: body,
        correlationId,
      },
      { outbox, now: () => new Date() },
    ),
  }),
);

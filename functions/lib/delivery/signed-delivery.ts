import { randomBytes } from 'node:crypto';
import type { PartnerEvent } from '#lib/outbox/partner-event.ts';
import { HUB_ISSUER, REQUEST_TYP, SIGNATURE_HEADER } from '#lib/signing/protocol.ts';
import { type Signer, signDetached } from '#lib/signing/signer.ts';

/** The partner answered a delivery with something other than 2xx, or did not answer. */
export class DeliveryFailedError extends Error {
  override readonly name = 'DeliveryFailedError';
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface DeliveryPorts {
  signer: Signer;
  fetch: typeof fetch;
  now: () => Date;
  timeoutMs: number;
}

/**
 * POSTs one event to a partner endpoint, signed exactly as partners sign their calls to the hub
 * (docs/protocol.md, "Callbacks"), so partners verify the hub with the code they already have.
 */
export async function deliverSigned(
  endpoint: string,
  event: PartnerEvent,
  ports: DeliveryPorts,
): Promise<number> {
  const url = new URL(endpoint);
  const body = Buffer.from(JSON.stringify(event), 'utf8');
  const signature = await signDetached(
    ports.signer,
    {
      typ: REQUEST_TYP,
      iss: HUB_ISSUER,
      htm: 'POST',
      htu: `${url.pathname}${url.search}`,
      iat: Math.floor(ports.now().getTime() / 1000),
      jti: randomBytes(16).toString('base64url'),
    },
    body,
  );
  let response: Response;
  try {
    response = await ports.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', [SIGNATURE_HEADER]: signature },
      body,
      // Never follow a redirect: the event would go (as a bodiless GET, still carrying the hub's
      // signature) to a URL nobody registered, and a 3xx would count as delivered.
      redirect: 'manual',
      signal: AbortSignal.timeout(ports.timeoutMs),
    });
  } catch (cause) {
    throw new DeliveryFailedError(`partner ${event.partnerid} unreachable at ${url.origin}`, undefined, {
      cause,
    });
  }
  // The answer's body is not ours to interpret, and reading it would let an endpoint stream us
  // out of memory: discard it unread.
  await response.body?.cancel().catch(() => undefined);
  if (response.status < 200 || response.status >= 300) {
    const hint =
      response.status >= 300 && response.status < 400
        ? ' (redirects are not followed: register the final URL)'
        : '';
    throw new DeliveryFailedError(
      `partner ${event.partnerid} answered ${response.status}${hint}`,
      response.status,
    );
  }
  return response.status;
}

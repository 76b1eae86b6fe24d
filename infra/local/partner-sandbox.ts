import { createServer, type Server } from 'node:http';
import type { JSONWebKeySet } from 'jose';
import { HubSignatureError, verifyHubSignature } from '#lib/signing/hub-signature.ts';
import { REQUEST_TYP, SIGNATURE_HEADER } from '#lib/signing/protocol.ts';

/**
 * Stand-in callback endpoints for the demo partners: `POST /partners/<id>/events`. Each delivery
 * is checked the way a partner should check it (hub signature against the hub JWKS, htm/htu,
 * deduplication on the event id) and kept for inspection. Tests can make an endpoint fail.
 */
export interface ReceivedEvent {
  partnerId: string;
  event: { id: string; type: string; data: Record<string, unknown> } & Record<string, unknown>;
  signatureHeader: Record<string, unknown>;
  duplicate: boolean;
}

export interface PartnerSandbox {
  url: string;
  endpointFor(partnerId: string): string;
  received(partnerId?: string): ReceivedEvent[];
  /** Answer deliveries for `partnerId` with `status` (e.g. 503) until reset with `undefined`. */
  respondWith(partnerId: string, status: number | undefined): void;
  stop(): Promise<void>;
}

export async function startPartnerSandbox(options: {
  jwks: () => Promise<JSONWebKeySet>;
  onEvent?: (received: ReceivedEvent) => void;
  onRejected?: (partnerId: string, reason: string) => void;
}): Promise<PartnerSandbox> {
  const events: ReceivedEvent[] = [];
  const seen = new Set<string>();
  const forcedStatus = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const match = /^\/partners\/([a-z0-9-]+)\/events$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404).end();
      return;
    }
    const partnerId = match[1] as string;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const forced = forcedStatus.get(partnerId);
    if (forced !== undefined) {
      res.writeHead(forced).end();
      return;
    }
    try {
      const header = await verifyHubSignature(
        await options.jwks(),
        req.headers[SIGNATURE_HEADER] as string | undefined,
        body,
        REQUEST_TYP,
      );
      if (header.htm !== 'POST' || header.htu !== req.url) {
        throw new HubSignatureError('htm/htu do not match this request');
      }
      if (Math.abs(Number(header.iat) - Date.now() / 1000) > 300)
        throw new HubSignatureError('iat outside ±300 s');
      const event = JSON.parse(body.toString('utf8')) as ReceivedEvent['event'];
      if (event.partnerid !== partnerId)
        throw new HubSignatureError(`event is addressed to ${String(event.partnerid)}`);
      const duplicate = seen.has(event.id);
      seen.add(event.id);
      const received = { partnerId, event, signatureHeader: header, duplicate };
      events.push(received);
      options.onEvent?.(received);
      res.writeHead(204).end();
    } catch (error) {
      options.onRejected?.(partnerId, error instanceof Error ? error.message : String(error));
      res.writeHead(401, { 'content-type': 'text/plain' }).end('hub signature rejected');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    endpointFor: (partnerId) => `${url}/partners/${partnerId}/events`,
    received: (partnerId) =>
      events.filter((event) => partnerId === undefined || event.partnerId === partnerId),
    respondWith: (partnerId, status) => {
      if (status === undefined) forcedStatus.delete(partnerId);
      else forcedStatus.set(partnerId, status);
    },
    stop: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

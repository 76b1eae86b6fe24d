import { randomBytes } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { inject } from 'vitest';
import { demoSigner, registerDemoPartners } from '#infra/local/demo-partners.ts';
import { type LocalHub, startLocalHub } from '#infra/local/hub.ts';
import { type PartnerSandbox, startPartnerSandbox } from '#infra/local/partner-sandbox.ts';
import { verifyHubSignature } from '#lib/signing/hub-signature.ts';
import { SIGNATURE_HEADER } from '#lib/signing/protocol.ts';
import { signRequest } from '#lib/signing/request-signer.ts';

/**
 * A whole local hub for one test file: its own prefixed tables, queues and key in the shared
 * emulator, the demo partners registered, and a partner sandbox receiving callbacks.
 */
export interface TestHub {
  hub: LocalHub;
  sandbox: PartnerSandbox;
  jwks(): Promise<JSONWebKeySet>;
  /** Signs as a demo partner, sends, verifies the hub's response signature, returns the answer. */
  call(
    as: string,
    method: string,
    pathAndQuery: string,
    body?: unknown,
    extraHeaders?: Record<string, string>,
  ): Promise<SignedAnswer>;
  stop(): Promise<void>;
}

export interface SignedAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  signatureHeader: Record<string, unknown>;
}

export async function startTestHub(
  options: { visibilityTimeoutSeconds?: number; environment?: Record<string, string> } = {},
): Promise<TestHub> {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  const prefix = `t${randomBytes(4).toString('hex')}`;
  let jwksCache: JSONWebKeySet | undefined;
  let hubUrl = '';
  const jwks = async () => {
    jwksCache ??= (await (await fetch(`${hubUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    return jwksCache;
  };
  const sandbox = await startPartnerSandbox({ jwks });
  const hub = await startLocalHub({
    awsEndpoint: inject('awsEndpoint'),
    prefix,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 1,
    environment: { REGISTRY_CACHE_SECONDS: '0', POWERTOOLS_LOG_LEVEL: 'WARN', ...options.environment },
    onEventSourceError: () => undefined,
  });
  hubUrl = hub.url;
  await registerDemoPartners(hub.registry, (partner) => sandbox.endpointFor(partner.id));

  return {
    hub,
    sandbox,
    jwks,
    async call(as, method, pathAndQuery, body, extraHeaders = {}) {
      const payload = body === undefined ? '' : JSON.stringify(body);
      const signature = await signRequest(await demoSigner(as), {
        iss: as,
        method,
        pathAndQuery,
        body: payload,
      });
      const response = await fetch(`${hub.url}${pathAndQuery}`, {
        method,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...signature,
          ...extraHeaders,
        },
        ...(payload ? { body: payload } : {}),
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      const signatureHeader = await verifyHubSignature(
        await jwks(),
        response.headers.get(SIGNATURE_HEADER),
        bytes,
      );
      // The answer must be bound to this request, as docs/protocol.md §10 tells partners to check.
      const sent = JSON.parse(
        Buffer.from((signature[SIGNATURE_HEADER] ?? '').split('.')[0] ?? '', 'base64url').toString('utf8'),
      ) as { jti: string };
      const binding = { sts: signatureHeader.sts, htm: signatureHeader.htm, htu: signatureHeader.htu };
      const expected = { sts: response.status, htm: method.toUpperCase(), htu: pathAndQuery };
      if (JSON.stringify(binding) !== JSON.stringify(expected)) {
        throw new Error(
          `hub answer not bound to the request: ${JSON.stringify(binding)} ≠ ${JSON.stringify(expected)}`,
        );
      }
      if (signatureHeader.irt !== undefined && signatureHeader.irt !== sent.jti) {
        throw new Error(`hub answer cites request ${String(signatureHeader.irt)}, not ${sent.jti}`);
      }
      return {
        status: response.status,
        headers: response.headers,
        body: JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>,
        signatureHeader,
      };
    },
    async stop() {
      await hub.stop();
      await sandbox.stop();
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

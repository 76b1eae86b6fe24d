import { Buffer } from 'node:buffer';
import { createPrivateKey, type JsonWebKey, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPartnerEndpoint } from '#lib/registry/partner-admin.ts';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

/**
 * docs/protocol.md is the contract: a client written from it alone (independent-signer.mjs, only
 * node:crypto) must be accepted by the real hub, must be able to verify the hub's answers and
 * callbacks, and the document's worked example must be a real signature the hub checks.
 */

interface HubJwks {
  keys: Record<string, unknown>[];
}

/** The independent client's API (independent-signer.mjs is plain JavaScript, with no types of its own). */
interface IndependentClient {
  SIGNATURE_HEADER: 'x-jws-signature';
  signRequest(request: {
    privateJwk: Record<string, unknown>;
    iss: string;
    method: string;
    pathAndQuery: string;
    body?: string | Uint8Array;
    iat?: number;
    jti?: string;
  }): string;
  verifyHubResponse(input: {
    jwks: HubJwks;
    signature: string | null | undefined;
    body: string | Uint8Array;
    expect?: { method: string; pathAndQuery: string; status: number; jti?: string; windowSeconds?: number };
  }): Record<string, unknown>;
  verifyHubCallback(input: {
    jwks: HubJwks;
    signature: string | null | undefined;
    body: string | Uint8Array;
    method: string;
    pathAndQuery: string;
    windowSeconds?: number;
  }): Record<string, unknown>;
}

// Loaded by URL so the type checker takes the interface above instead of looking for declarations.
const clientModule = new URL('./independent-signer.mjs', import.meta.url).href;
const { SIGNATURE_HEADER, signRequest, verifyHubCallback, verifyHubResponse } = (await import(
  clientModule
)) as IndependentClient;

interface WorkedExample {
  partnerId: string;
  keyFile: string;
  method: string;
  pathAndQuery: string;
  body: string;
  protectedHeader: string;
  protectedB64: string;
  payloadB64: string;
  signingInput: string;
  signatureB64: string;
  headerValue: string;
}

const root = new URL('../../', import.meta.url);
const protocolDoc = readFileSync(new URL('docs/protocol.md', root), 'utf8');
const workedExamples = JSON.parse(
  readFileSync(new URL('docs/examples/worked-example.json', root), 'utf8'),
) as Record<'es256' | 'eddsa', WorkedExample>;
const privateJwk = (partnerId: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`infra/local/demo-keys/${partnerId}.private.jwk.json`, root), 'utf8'));

const PROBLEMS = 'https://delta-hub.example/problems/';
const nonce = (): string => randomBytes(16).toString('base64url');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

let testHub: TestHub;
/** The hub JWKS as a partner fetches it (§10), with the raw answer kept for the signature check. */
let jwks: HubJwks;
let jwksAnswer: { status: number; signature: string | null; bytes: Buffer };

beforeAll(async () => {
  testHub = await startTestHub();
  const response = await fetch(`${testHub.hub.url}/.well-known/jwks.json`);
  const bytes = Buffer.from(await response.arrayBuffer());
  jwksAnswer = { status: response.status, signature: response.headers.get(SIGNATURE_HEADER), bytes };
  jwks = JSON.parse(bytes.toString('utf8')) as HubJwks;
});

afterAll(async () => {
  await testHub?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  bytes: Buffer;
  json: Record<string, unknown>;
}

/** Sends a request exactly as a partner would: the signed bytes, the signed target, the header. */
async function send(
  method: string,
  pathAndQuery: string,
  body: string,
  signature: string,
  contentType = 'application/json',
): Promise<Answer> {
  const response = await fetch(`${testHub.hub.url}${pathAndQuery}`, {
    method,
    headers: { 'content-type': contentType, [SIGNATURE_HEADER]: signature },
    body: Buffer.from(body, 'utf8'),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    headers: response.headers,
    bytes,
    json: JSON.parse(bytes.toString('utf8')),
  };
}

describe('a client written from docs/protocol.md alone', () => {
  it('fetches the hub JWKS, whose own answer is signed by a key it contains', () => {
    const header = verifyHubResponse({
      jwks,
      signature: jwksAnswer.signature,
      body: jwksAnswer.bytes,
      expect: { method: 'GET', pathAndQuery: '/.well-known/jwks.json', status: jwksAnswer.status },
    });

    expect(jwksAnswer.status).toBe(200);
    expect(jwks.keys.length).toBeGreaterThan(0);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'delta-hub-response+jws', iss: 'delta-hub', sts: 200 });
    expect(header.irt).toBeUndefined();
  });

  it.each([
    { partnerId: 'sh-jtw', alg: 'ES256', pathAndQuery: '/v1/echo' },
    { partnerId: 'js-jtt', alg: 'EdDSA', pathAndQuery: '/v1/echo?lang=zh-CN&trace=e2e' },
  ])(
    'is accepted signing $alg as $partnerId, and verifies the bound, signed answer',
    async ({ partnerId, alg, pathAndQuery }) => {
      // Arrange
      const body = JSON.stringify({ message: `来自 ${partnerId} 的问候 (${alg})` });
      const jti = nonce();
      const signature = signRequest({
        privateJwk: privateJwk(partnerId),
        iss: partnerId,
        method: 'POST',
        pathAndQuery,
        body,
        jti,
      });

      // Act
      const answer = await send('POST', pathAndQuery, body, signature);

      // Assert
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({
        message: JSON.parse(body).message,
        partnerId,
        kid: `${partnerId}-2026-01`,
      });
      const header = verifyHubResponse({
        jwks,
        signature: answer.headers.get(SIGNATURE_HEADER),
        body: answer.bytes,
        expect: { method: 'POST', pathAndQuery, status: 200, jti },
      });
      expect(header).toMatchObject({
        alg: 'ES256',
        typ: 'delta-hub-response+jws',
        iss: 'delta-hub',
        htm: 'POST',
        htu: pathAndQuery,
        sts: 200,
        irt: jti,
      });
    },
  );

  it('gets a replayed request refused as a signed nonce-replayed problem that does not cite its jti', async () => {
    // Arrange
    const body = '{"message":"twice"}';
    const jti = nonce();
    const signature = signRequest({
      privateJwk: privateJwk('sh-jtw'),
      iss: 'sh-jtw',
      method: 'POST',
      pathAndQuery: '/v1/echo',
      body,
      jti,
    });

    // Act
    const first = await send('POST', '/v1/echo', body, signature);
    const replay = await send('POST', '/v1/echo', body, signature);

    // Assert
    expect(first.status).toBe(200);
    expect(replay.status).toBe(401);
    expect(replay.headers.get('content-type')).toBe('application/problem+json');
    expect(replay.json.type).toBe(`${PROBLEMS}nonce-replayed`);
    const header = verifyHubResponse({
      jwks,
      signature: replay.headers.get(SIGNATURE_HEADER),
      body: replay.bytes,
      expect: { method: 'POST', pathAndQuery: '/v1/echo', status: 401 },
    });
    // A request that failed verification is not one the hub vouches for: no irt.
    expect(header.irt).toBeUndefined();
  });

  it.each([
    { method: 'POST', pathAndQuery: '/v1/nothing-here' },
    { method: 'GET', pathAndQuery: '/v1/echo?x=1' },
  ])(
    'gets a signed 404 not-found for $method $pathAndQuery (no such route or method)',
    async ({ method, pathAndQuery }) => {
      const response = await fetch(`${testHub.hub.url}${pathAndQuery}`, { method });
      const bytes = Buffer.from(await response.arrayBuffer());

      expect(response.status).toBe(404);
      expect(JSON.parse(bytes.toString('utf8')).type).toBe(`${PROBLEMS}not-found`);
      const header = verifyHubResponse({
        jwks,
        signature: response.headers.get(SIGNATURE_HEADER),
        body: bytes,
        expect: { method, pathAndQuery, status: 404 },
      });
      expect(header.irt).toBeUndefined();
    },
  );

  it('is refused with signature-invalid when the ES256 signature is DER-encoded (what Java, OpenSSL and KMS return by default)', async () => {
    // Arrange: a correct header, but the signature in DER instead of raw r||s
    const body = '{"message":"DER"}';
    const good = signRequest({
      privateJwk: privateJwk('sh-jtw'),
      iss: 'sh-jtw',
      method: 'POST',
      pathAndQuery: '/v1/echo',
      body,
    });
    const protectedB64 = good.split('.')[0] as string;
    const input = Buffer.from(`${protectedB64}.${Buffer.from(body, 'utf8').toString('base64url')}`, 'ascii');
    const key = createPrivateKey({ key: privateJwk('sh-jtw') as JsonWebKey, format: 'jwk' });
    const der = sign('sha256', input, { key, dsaEncoding: 'der' }).toString('base64url');

    // Act
    const answer = await send('POST', '/v1/echo', body, `${protectedB64}..${der}`);

    // Assert
    expect(answer.status).toBe(401);
    expect(answer.json.type).toBe(`${PROBLEMS}signature-invalid`);
  });

  it('verifies a callback the hub POSTs to the partner endpoint (CloudEvent, signed like a request)', async () => {
    // Arrange: the partner's own endpoint, checking the hub the way §11 says
    const received: { headers: IncomingHttpHeaders; url: string; body: Buffer }[] = [];
    const endpoint: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      received.push({ headers: req.headers, url: req.url ?? '', body: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
    await new Promise<void>((done) => endpoint.listen(0, '127.0.0.1', done));
    const address = endpoint.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const callbackPath = '/delta-hub/events?channel=e2e';
    await setPartnerEndpoint(testHub.hub.registry, 'ah-jtt', `http://127.0.0.1:${port}${callbackPath}`);
    try {
      const body = JSON.stringify({ message: '回调测试', callback: true });
      const signature = signRequest({
        privateJwk: privateJwk('ah-jtt'),
        iss: 'ah-jtt',
        method: 'POST',
        pathAndQuery: '/v1/echo',
        body,
      });

      // Act
      const answer = await send('POST', '/v1/echo', body, signature);
      const delivery = await eventually(() => received[0]);

      // Assert
      expect(answer.status).toBe(200);
      expect(delivery.url).toBe(callbackPath);
      expect(delivery.headers['content-type']).toBe('application/cloudevents+json');
      const header = verifyHubCallback({
        jwks,
        signature: delivery.headers[SIGNATURE_HEADER] as string | undefined,
        body: delivery.body,
        method: 'POST',
        pathAndQuery: delivery.url,
      });
      expect(header).toMatchObject({ alg: 'ES256', typ: 'delta-hub-request+jws', iss: 'delta-hub' });
      const event = JSON.parse(delivery.body.toString('utf8')) as Record<string, unknown>;
      expect(event).toMatchObject({
        specversion: '1.0',
        id: answer.json.callbackEventId,
        source: 'delta-hub',
        type: 'cn.yrd.deltahub.echo.v1',
        datacontenttype: 'application/json',
        partnerid: 'ah-jtt',
        data: { message: '回调测试', correlationId: answer.json.correlationId },
      });
    } finally {
      await new Promise<void>((done) => {
        endpoint.close(() => done());
        endpoint.closeAllConnections();
      });
    }
  });
});

describe('the worked example of docs/protocol.md', () => {
  it.each(['es256', 'eddsa'] as const)('%s: the document quotes exactly the generated values', (name) => {
    const example = workedExamples[name];
    for (const value of [
      example.protectedHeader,
      example.protectedB64,
      example.payloadB64,
      example.signingInput,
      example.headerValue,
    ]) {
      expect(protocolDoc).toContain(value);
    }
    expect(protocolDoc).toContain(JSON.stringify(privateJwk(example.partnerId).d));
  });

  it('eddsa: the independent signer reproduces the document byte for byte (Ed25519 is deterministic)', () => {
    const example = workedExamples.eddsa;
    const header = JSON.parse(example.protectedHeader) as { iat: number; jti: string };

    const value = signRequest({
      privateJwk: privateJwk(example.partnerId),
      iss: example.partnerId,
      method: example.method,
      pathAndQuery: example.pathAndQuery,
      body: example.body,
      iat: header.iat,
      jti: header.jti,
    });

    expect(value).toBe(example.headerValue);
  });

  it.each(['es256', 'eddsa'] as const)(
    '%s: the exact header is a valid signature the hub refuses only as iat-outside-window, and a fresh one is accepted',
    async (name) => {
      // Arrange
      const example = workedExamples[name];
      const fresh = signRequest({
        privateJwk: privateJwk(example.partnerId),
        iss: example.partnerId,
        method: example.method,
        pathAndQuery: example.pathAndQuery,
        body: example.body,
        iat: nowSeconds(),
        jti: nonce(),
      });

      // Act
      const stale = await send(example.method, example.pathAndQuery, example.body, example.headerValue);
      const accepted = await send(example.method, example.pathAndQuery, example.body, fresh);

      // Assert: iat is checked after the signature, so this refusal proves the signature verified.
      expect(stale.status).toBe(401);
      expect(stale.json).toMatchObject({
        type: `${PROBLEMS}iat-outside-window`,
        status: 401,
        title: 'Request signature rejected',
      });
      verifyHubResponse({
        jwks,
        signature: stale.headers.get(SIGNATURE_HEADER),
        body: stale.bytes,
        expect: { method: example.method, pathAndQuery: example.pathAndQuery, status: 401 },
      });
      expect(accepted.status).toBe(200);
      expect(accepted.json).toMatchObject({
        message: JSON.parse(example.body).message,
        partnerId: example.partnerId,
      });
    },
  );
});

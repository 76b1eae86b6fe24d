import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSigner } from '#infra/local/demo-partners.ts';
import { startGateway } from '#infra/local/http-gateway.ts';
import { lambdaContext } from '#infra/local/lambda-context.ts';
import { signedRoute } from '#lib/http/signed-route.ts';
import { addPartnerKey, retirePartnerKey, setPartnerStatus } from '#lib/registry/partner-admin.ts';
import { localKeySigner } from '#lib/signing/local-key-signer.ts';
import { SIGNATURE_HEADER } from '#lib/signing/protocol.ts';
import { signRequest } from '#lib/signing/request-signer.ts';
import { compileSchema } from '#lib/validation.ts';
import { type SignedAnswer, startTestHub, type TestHub } from '../support/test-hub.ts';
import { generatePrivateJwk, publicPart } from '../unit/signing/fixtures.ts';

/**
 * The signed partner API end to end: HTTP → local API Gateway → handler module → registry and
 * replay store in the emulator → signed answer. No AWS call is mocked.
 */
let t: TestHub;

beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t?.stop();
});

const problemType = (answer: SignedAnswer) =>
  String(answer.body.type).replace('https://delta-hub.example/problems/', '');

async function rawPost(path: string, body: string | Buffer, headers: Record<string, string>) {
  const response = await fetch(`${t.hub.url}${path}`, { method: 'POST', headers, body });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('POST /v1/echo', () => {
  it('answers a signed request with a signed echo bound to that request', async () => {
    const answer = await t.call('sh-jtw', 'POST', '/v1/echo', { message: '一码通行 联调' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      message: '一码通行 联调',
      partnerId: 'sh-jtw',
      kid: 'sh-jtw-2026-01',
    });
    expect(answer.signatureHeader).toMatchObject({
      iss: 'delta-hub',
      typ: 'delta-hub-response+jws',
      sts: 200,
      htm: 'POST',
      htu: '/v1/echo',
    });
    expect(answer.signatureHeader.irt).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(answer.headers.get('x-correlation-id')).toBe(answer.body.correlationId);
  });

  it('accepts EdDSA-signed requests (js-jtt)', async () => {
    const answer = await t.call('js-jtt', 'POST', '/v1/echo', { message: 'Jiangsu' });
    expect(answer.status).toBe(200);
    expect(answer.body.partnerId).toBe('js-jtt');
  });

  it('refuses a replayed request with a signed 401 problem naming the nonce', async () => {
    const body = JSON.stringify({ message: 'once' });
    const headers = {
      'content-type': 'application/json',
      ...(await signRequest(await demoSigner('zj-jtt'), {
        iss: 'zj-jtt',
        method: 'POST',
        pathAndQuery: '/v1/echo',
        body,
      })),
    };
    expect((await rawPost('/v1/echo', body, headers)).status).toBe(200);
    const replay = await rawPost('/v1/echo', body, headers);
    expect(replay.status).toBe(401);
    expect(replay.headers.get('content-type')).toBe('application/problem+json');
    expect(replay.headers.get(SIGNATURE_HEADER)).toBeTruthy();
    expect(replay.body.type).toBe('https://delta-hub.example/problems/nonce-replayed');
  });

  it('refuses an unsigned request as signature-missing', async () => {
    const answer = await rawPost('/v1/echo', '{"message":"x"}', { 'content-type': 'application/json' });
    expect(answer.status).toBe(401);
    expect(answer.body.type).toBe('https://delta-hub.example/problems/signature-missing');
  });

  it('refuses a body over the limit with 413 before looking at the signature', async () => {
    const huge = JSON.stringify({ message: 'x'.repeat(70_000) });
    const answer = await rawPost('/v1/echo', huge, {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: 'not-even-parsed',
    });
    expect(answer.status).toBe(413);
    expect(answer.body.type).toBe('https://delta-hub.example/problems/payload-too-large');
    expect(String(answer.body.detail)).toContain('65536');
  });

  it('lists every failing field of a schema-invalid body', async () => {
    const answer = await t.call('sh-jtw', 'POST', '/v1/echo', { message: '', colour: 'red' });
    expect(answer.status).toBe(400);
    expect(problemType(answer)).toBe('validation-failed');
    expect(answer.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: expect.stringMatching(/^\/(message|colour)$/) }),
      ]),
    );
  });

  it('answers malformed JSON with 400 and a non-JSON media type with 415', async () => {
    const signer = await demoSigner('ah-jtt');
    const broken = '{"message": "unterminated';
    const malformed = await rawPost('/v1/echo', broken, {
      'content-type': 'application/json',
      ...(await signRequest(signer, {
        iss: 'ah-jtt',
        method: 'POST',
        pathAndQuery: '/v1/echo',
        body: broken,
      })),
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toBe('https://delta-hub.example/problems/malformed-body');
    const xml = '<message>hi</message>';
    const wrongType = await rawPost('/v1/echo', xml, {
      'content-type': 'application/xml',
      ...(await signRequest(signer, { iss: 'ah-jtt', method: 'POST', pathAndQuery: '/v1/echo', body: xml })),
    });
    expect(wrongType.status).toBe(415);
  });

  it('answers unknown routes with a signed 404 problem (the $default route)', async () => {
    const answer = await t.call('sh-jtw', 'DELETE', '/v1/nothing-here');
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(problemType(answer)).toBe('not-found');
    expect(answer.signatureHeader.sts).toBe(404);
  });
});

describe('caller input too long for a problem document', () => {
  it('still answers 4xx problems (never 500) when the path, a member name or htu is huge', async () => {
    const longPath = await t.call('sh-jtw', 'GET', `/${'x'.repeat(1990)}`);
    expect([longPath.status, problemType(longPath)]).toEqual([404, 'not-found']);
    expect(String(longPath.body.instance).length).toBeLessThanOrEqual(512);

    const longMember = await t.call('sh-jtw', 'POST', '/v1/echo', { message: 'x', ['k/~'.repeat(400)]: 1 });
    expect([longMember.status, problemType(longMember)]).toEqual([400, 'validation-failed']);
    const [field] = longMember.body.errors as { pointer: string }[];
    expect(field?.pointer.startsWith('/k~1~0k~1~0')).toBe(true);

    const htu = `/v1/echo?${'q'.repeat(2000)}`;
    const body = JSON.stringify({ message: 'x' });
    const signed = await signRequest(await demoSigner('sh-jtw'), {
      iss: 'sh-jtw',
      method: 'POST',
      pathAndQuery: htu,
      body,
    });
    const mismatch = await rawPost('/v1/echo?other', body, { 'content-type': 'application/json', ...signed });
    expect([mismatch.status, mismatch.body.type]).toEqual([
      401,
      'https://delta-hub.example/problems/target-mismatch',
    ]);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('publishes the hub key that signs the answers', async () => {
    const response = await fetch(`${t.hub.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: { kid: string; alg: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]?.d).toBeUndefined();
    const answer = await t.call('sh-jtw', 'POST', '/v1/echo', { message: 'kid check' });
    expect(answer.signatureHeader.kid).toBe(jwks.keys[0]?.kid);
  });
});

describe('trust registry changes through the running hub', () => {
  it('a suspension bites on the next request and a reinstatement restores access', async () => {
    await setPartnerStatus(t.hub.registry, 'ah-jtt', 'suspended', 'audit finding 2026-12');
    const refused = await t.call('ah-jtt', 'POST', '/v1/echo', { message: 'x' });
    expect(refused.status).toBe(403);
    expect(problemType(refused)).toBe('partner-suspended');
    await setPartnerStatus(t.hub.registry, 'ah-jtt', 'active', 'audit closed');
    expect((await t.call('ah-jtt', 'POST', '/v1/echo', { message: 'x' })).status).toBe(200);
  });

  it('rotates a key: both work during the overlap, the old one fails once retired', async () => {
    const nextJwk = generatePrivateJwk('ES256', 'zj-jtt-2026-12');
    await addPartnerKey(t.hub.registry, 'zj-jtt', publicPart(nextJwk), {
      notBefore: new Date(Date.now() - 1000).toISOString(),
    });
    const nextSigner = await localKeySigner(nextJwk);
    const send = async (signer: Awaited<ReturnType<typeof localKeySigner>>) => {
      const body = JSON.stringify({ message: 'rotation' });
      return rawPost('/v1/echo', body, {
        'content-type': 'application/json',
        ...(await signRequest(signer, { iss: 'zj-jtt', method: 'POST', pathAndQuery: '/v1/echo', body })),
      });
    };
    expect((await send(await demoSigner('zj-jtt'))).status).toBe(200);
    expect((await send(nextSigner)).status).toBe(200);
    await retirePartnerKey(t.hub.registry, 'zj-jtt', 'zj-jtt-2026-01', new Date(Date.now() - 1000));
    const old = await send(await demoSigner('zj-jtt'));
    expect(old.status).toBe(401);
    expect(old.body.type).toBe('https://delta-hub.example/problems/key-expired');
    expect((await send(nextSigner)).status).toBe(200);
  });
});

describe('role checks', () => {
  it('refuses a partner whose roles the route does not admit, with a signed 403', async () => {
    // A route admitting only lock operators, served by the same local gateway and middleware.
    const handler = signedRoute(
      {
        roles: ['lock-operator'],
        response: compileSchema<{ ok: boolean }>({
          $id: 'https://delta-hub.example/schemas/test-lock-only/v1.json',
          type: 'object',
          properties: { ok: { type: 'boolean' } },
          required: ['ok'],
          additionalProperties: false,
        }),
      },
      async () => ({ status: 200, body: { ok: true } }),
    );
    const gateway = await startGateway([
      {
        method: 'GET',
        path: '/v1/locks/status',
        function: 'echo',
        invoke: handler,
        context: () => lambdaContext('test', 10),
      },
    ]);
    try {
      const get = async (as: string) => {
        const headers = await signRequest(await demoSigner(as), {
          iss: as,
          method: 'GET',
          pathAndQuery: '/v1/locks/status',
        });
        const response = await fetch(`${gateway.url}/v1/locks/status`, { headers });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const refused = await get('sh-yiwangtong');
      expect(refused.status).toBe(403);
      expect(refused.body.type).toBe('https://delta-hub.example/problems/role-forbidden');
      expect(String(refused.body.detail)).toContain('lock-operator');
      expect((await get('js-jianbi-lock')).status).toBe(200);
    } finally {
      await new Promise((done) => gateway.server.close(done));
    }
  });
});

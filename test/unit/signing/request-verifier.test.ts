import { createHmac } from 'node:crypto';
import { base64url } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError, SignatureError } from '#lib/errors.ts';
import type { PartnerKey } from '#lib/registry/partner.ts';
import { toPartnerKey } from '#lib/registry/partner-keys.ts';
import { REQUEST_TYP, SIGNATURE_HEADER } from '#lib/signing/protocol.ts';
import { signRequest } from '#lib/signing/request-signer.ts';
import { RequestVerifier, type SignedRequest } from '#lib/signing/request-verifier.ts';
import {
  MemoryDirectory,
  MemoryReplayGuard,
  type PartnerWithSigner,
  partnerWithKey,
  publicPart,
} from './fixtures.ts';

const NOW = new Date('2026-12-03T08:00:00Z');
const BODY = JSON.stringify({ message: '沪闸通 test' });

let directory: MemoryDirectory;
let replay: MemoryReplayGuard;
let verifier: RequestVerifier;
let shanghai: PartnerWithSigner;

async function signed(
  overrides: Partial<{
    method: string;
    pathAndQuery: string;
    body: string;
    now: Date;
    nonce: string;
    as: PartnerWithSigner;
  }> = {},
): Promise<SignedRequest> {
  const as = overrides.as ?? shanghai;
  const method = overrides.method ?? 'POST';
  const pathAndQuery = overrides.pathAndQuery ?? '/v1/echo';
  const body = overrides.body ?? BODY;
  const headers = await signRequest(as.signer, {
    iss: as.partner.partnerId,
    method,
    pathAndQuery,
    body,
    now: overrides.now ?? NOW,
    ...(overrides.nonce ? { nonce: overrides.nonce } : {}),
  });
  return { method, pathAndQuery, body: Buffer.from(body), signature: headers[SIGNATURE_HEADER] };
}

async function rejection(request: SignedRequest): Promise<SignatureError | ForbiddenError> {
  const error = await verifier.verify(request).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, 'request should have been rejected').toBeDefined();
  expect(error instanceof SignatureError || error instanceof ForbiddenError).toBe(true);
  return error as SignatureError | ForbiddenError;
}

beforeEach(async () => {
  directory = new MemoryDirectory();
  replay = new MemoryReplayGuard();
  verifier = new RequestVerifier({ directory, replayGuard: replay, windowSeconds: 300, now: () => NOW });
  shanghai = await partnerWithKey('sh-jtw', 'ES256');
  directory.partners.set('sh-jtw', shanghai.partner);
});

describe('RequestVerifier accepts', () => {
  it('a correctly signed ES256 request and names the caller and key', async () => {
    const caller = await verifier.verify(await signed());
    expect(caller.partner.partnerId).toBe('sh-jtw');
    expect(caller.key.kid).toBe(shanghai.signer.kid);
    expect(caller.header.htu).toBe('/v1/echo');
  });

  it('a correctly signed EdDSA request', async () => {
    const jiangsu = await partnerWithKey('js-jtt', 'EdDSA');
    directory.partners.set('js-jtt', jiangsu.partner);
    const caller = await verifier.verify(await signed({ as: jiangsu }));
    expect(caller.key.alg).toBe('EdDSA');
  });

  it('a GET with an empty body and a query string', async () => {
    const request = await signed({
      method: 'GET',
      pathAndQuery: '/v1/licences?holder=91310115MA1K4A7B0D',
      body: '',
    });
    await expect(verifier.verify(request)).resolves.toMatchObject({ header: { htm: 'GET' } });
  });

  it('iat at the edges of the window (±300 s)', async () => {
    await expect(
      verifier.verify(await signed({ now: new Date(NOW.getTime() - 300_000) })),
    ).resolves.toBeDefined();
    await expect(
      verifier.verify(await signed({ now: new Date(NOW.getTime() + 300_000) })),
    ).resolves.toBeDefined();
  });
});

describe('RequestVerifier rejects', () => {
  it('a missing header', async () => {
    const request = await signed();
    expect((await rejection({ ...request, signature: undefined })).code).toBe('signature-missing');
  });

  it('a tampered body', async () => {
    const request = await signed();
    const tampered = { ...request, body: Buffer.from(BODY.replace('test', 'TEST')) };
    expect((await rejection(tampered)).code).toBe('signature-invalid');
  });

  it('the signature presented on another path', async () => {
    const request = await signed();
    expect((await rejection({ ...request, pathAndQuery: '/v1/licences' })).code).toBe('target-mismatch');
  });

  it('the signature presented with another query string', async () => {
    const request = await signed({ pathAndQuery: '/v1/echo?a=1' });
    expect((await rejection({ ...request, pathAndQuery: '/v1/echo?a=2' })).code).toBe('target-mismatch');
  });

  it('the signature presented with another method', async () => {
    const request = await signed();
    expect((await rejection({ ...request, method: 'PUT' })).code).toBe('method-mismatch');
  });

  it('a stale iat (301 s old)', async () => {
    const error = await rejection(await signed({ now: new Date(NOW.getTime() - 301_000) }));
    expect(error.code).toBe('iat-outside-window');
    expect(error.message).toContain('in the past');
  });

  it('a future iat (301 s ahead)', async () => {
    const error = await rejection(await signed({ now: new Date(NOW.getTime() + 301_000) }));
    expect(error.code).toBe('iat-outside-window');
    expect(error.message).toContain('in the future');
  });

  it('a replayed nonce, while the first use is still accepted', async () => {
    const request = await signed();
    await verifier.verify(request);
    expect((await rejection(request)).code).toBe('nonce-replayed');
  });

  it('the same nonce signed again over another body', async () => {
    await verifier.verify(await signed({ nonce: 'AAAAAAAAAAAAAAAAAAAAAAAA' }));
    const again = await signed({ nonce: 'AAAAAAAAAAAAAAAAAAAAAAAA', body: '{"message":"other"}' });
    expect((await rejection(again)).code).toBe('nonce-replayed');
  });

  it('a forged request without burning the real nonce', async () => {
    const genuine = await signed({ nonce: 'BBBBBBBBBBBBBBBBBBBBBBBB' });
    const forged = { ...genuine, body: Buffer.from('{"message":"forged"}') };
    expect((await rejection(forged)).code).toBe('signature-invalid');
    await expect(verifier.verify(genuine)).resolves.toBeDefined();
  });

  it('an unknown partner', async () => {
    directory.partners.delete('sh-jtw');
    expect((await rejection(await signed())).code).toBe('partner-unknown');
  });

  it('an unknown key id', async () => {
    const other = await partnerWithKey('sh-jtw');
    expect((await rejection(await signed({ as: { ...shanghai, signer: other.signer } }))).code).toBe(
      'key-unknown',
    );
  });

  it('a key of another partner under a known kid', async () => {
    const impostor = await partnerWithKey('sh-jtw');
    const signer = { ...impostor.signer, kid: shanghai.signer.kid };
    expect((await rejection(await signed({ as: { ...shanghai, signer } }))).code).toBe('signature-invalid');
  });

  it('a rotated-out key (past its notAfter)', async () => {
    shanghai.partner.apiKeys[0] = {
      ...(shanghai.partner.apiKeys[0] as PartnerKey),
      notAfter: '2026-12-03T07:59:59Z',
    };
    expect((await rejection(await signed())).code).toBe('key-expired');
  });

  it('a key before its notBefore', async () => {
    shanghai.partner.apiKeys[0] = {
      ...(shanghai.partner.apiKeys[0] as PartnerKey),
      notBefore: '2026-12-03T09:00:00Z',
    };
    expect((await rejection(await signed())).code).toBe('key-not-yet-valid');
  });

  it('a suspended partner, with 403 after a valid signature', async () => {
    shanghai.partner.status = 'suspended';
    const error = await rejection(await signed());
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.code).toBe('partner-suspended');
    expect(error.status).toBe(403);
  });

  it('alg none', async () => {
    const request = await signed();
    const [protectedB64, , signature] = (request.signature as string).split('.');
    const header = JSON.parse(Buffer.from(protectedB64 as string, 'base64url').toString());
    const unsigned = `${base64url.encode(JSON.stringify({ ...header, alg: 'none' }))}..${signature}`;
    expect((await rejection({ ...request, signature: unsigned })).code).toBe('algorithm-rejected');
  });

  it('HS256 keyed with the public key (algorithm confusion)', async () => {
    const request = await signed();
    const [protectedB64] = (request.signature as string).split('.');
    const header = JSON.parse(Buffer.from(protectedB64 as string, 'base64url').toString());
    const confused = base64url.encode(JSON.stringify({ ...header, alg: 'HS256' }));
    const mac = createHmac('sha256', JSON.stringify(publicPart(shanghai.privateJwk)))
      .update(`${confused}.${base64url.encode(BODY)}`)
      .digest('base64url');
    expect((await rejection({ ...request, signature: `${confused}..${mac}` })).code).toBe(
      'algorithm-rejected',
    );
  });

  it('EdDSA claimed for a key registered as ES256', async () => {
    const request = await signed();
    const [protectedB64, , signature] = (request.signature as string).split('.');
    const header = JSON.parse(Buffer.from(protectedB64 as string, 'base64url').toString());
    const swapped = `${base64url.encode(JSON.stringify({ ...header, alg: 'EdDSA' }))}..${signature}`;
    const error = await rejection({ ...request, signature: swapped });
    expect(error.code).toBe('algorithm-rejected');
    expect(error.message).toContain('registered for ES256');
  });

  it.each([
    ['two parts', 'abc.def'],
    ['an attached payload', 'eyJhIjoxfQ.eyJhIjoxfQ.c2ln'],
    ['padding', 'eyJhIjoxfQ==..c2ln'],
    ['a header that is not JSON', `${base64url.encode('not json')}..c2ln`],
    ['a header that is a JSON array', `${base64url.encode('[1,2]')}..c2ln`],
    ['an oversized header', `${'A'.repeat(5000)}..c2ln`],
  ])('a malformed header value: %s', async (_case, value) => {
    const request = await signed();
    expect((await rejection({ ...request, signature: value })).code).toBe('signature-malformed');
  });

  it.each([
    ['typ', { typ: 'JWT' }],
    ['iss', { iss: 'Not A Partner!' }],
    ['htm', { htm: 'post' }],
    ['htu', { htu: 'https://hub.example/v1/echo' }],
    ['iat', { iat: '1796284800' }],
    ['jti', { jti: 'short' }],
    ['kid', { kid: 42 }],
    ['crit', { crit: ['htm'] }],
    ['b64', { b64: false }],
  ])('a protected header with a bad %s', async (member, change) => {
    const request = await signed();
    const [protectedB64, , signature] = (request.signature as string).split('.');
    const header = JSON.parse(Buffer.from(protectedB64 as string, 'base64url').toString());
    const bad = `${base64url.encode(JSON.stringify({ ...header, ...change }))}..${signature}`;
    const error = await rejection({ ...request, signature: bad });
    expect(error.code).toBe('signature-malformed');
    expect(error.message).toContain(member);
  });

  it('a header that omits typ entirely', async () => {
    const request = await signed();
    const [protectedB64, , signature] = (request.signature as string).split('.');
    const { typ: _typ, ...header } = JSON.parse(Buffer.from(protectedB64 as string, 'base64url').toString());
    expect(header.typ).toBeUndefined();
    const bad = `${base64url.encode(JSON.stringify(header))}..${signature}`;
    expect((await rejection({ ...request, signature: bad })).code).toBe('signature-malformed');
    expect(REQUEST_TYP).toBe('delta-hub-request+jws');
  });
});

describe('key rotation', () => {
  it('accepts old and new key during the overlap, only the new one after retirement', async () => {
    const next = await partnerWithKey('sh-jtw');
    const newKey = await toPartnerKey(publicPart(next.privateJwk), { notBefore: '2026-12-01T00:00:00Z' });
    shanghai.partner.apiKeys.push(newKey);
    await expect(verifier.verify(await signed())).resolves.toBeDefined();
    await expect(
      verifier.verify(await signed({ as: { ...shanghai, signer: next.signer } })),
    ).resolves.toBeDefined();

    shanghai.partner.apiKeys[0] = {
      ...(shanghai.partner.apiKeys[0] as PartnerKey),
      notAfter: '2026-12-03T07:00:00Z',
    };
    expect((await rejection(await signed())).code).toBe('key-expired');
    await expect(
      verifier.verify(await signed({ as: { ...shanghai, signer: next.signer } })),
    ).resolves.toBeDefined();
  });
});

import fc from 'fast-check';
import { type JWK, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { CredentialRejection, CredentialVerifier } from '#lib/credentials/credential-verifier.ts';
import { type IssuingKey, toIssuingKey } from '#lib/credentials/issuing-keys.ts';
import { generateSm2KeyPair, importSm2PrivateJwk, signCompactSm2 } from '#lib/crypto/sm2-jws.ts';
import type { Partner } from '#lib/registry/partner.ts';
import { generatePrivateJwk, MemoryDirectory, publicPart } from '../signing/fixtures.ts';

const NOW = new Date('2026-12-03T08:00:00Z');
const TYP = 'delta-pass+jwt';
let directory: MemoryDirectory;
let verifier: CredentialVerifier;
let es256: JWK;
let issuer: Partner;

const claims = { iss: 'sh-jtw', sub: 'subject-1', iat: 1_796_284_800 };

async function issue(
  jwk: JWK,
  kid: string,
  alg: 'ES256' | 'EdDSA',
  payload: Record<string, unknown> = claims,
) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg, kid, typ: TYP })
    .sign(await import('jose').then((j) => j.importJWK(jwk, alg)));
}

async function rejection(token: unknown): Promise<string> {
  const error = await verifier.verify(token, NOW).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(CredentialRejection);
  return (error as CredentialRejection).reason;
}

beforeEach(async () => {
  directory = new MemoryDirectory();
  verifier = new CredentialVerifier({ directory, typ: TYP, issuerOf: (payload) => payload.iss });
  es256 = generatePrivateJwk('ES256', 'sh-pass-2026');
  issuer = {
    partnerId: 'sh-jtw',
    name: '上海市交通委员会',
    roles: ['province', 'credential-issuer'],
    status: 'active',
    apiKeys: [],
    issuingKeys: [await toIssuingKey(publicPart(es256), { notBefore: '2026-01-01T00:00:00Z' })],
    version: 1,
    updatedAt: '2026-01-01T00:00:00Z',
  };
  directory.partners.set('sh-jtw', issuer);
});

describe('CredentialVerifier', () => {
  it('verifies ES256 and EdDSA credentials by kid', async () => {
    expect((await verifier.verify(await issue(es256, 'sh-pass-2026', 'ES256'), NOW)).payload.sub).toBe(
      'subject-1',
    );
    const ed = generatePrivateJwk('EdDSA', 'sh-pass-ed');
    issuer.issuingKeys?.push(await toIssuingKey(publicPart(ed), { notBefore: '2026-01-01T00:00:00Z' }));
    expect((await verifier.verify(await issue(ed, 'sh-pass-ed', 'EdDSA'), NOW)).key.alg).toBe('EdDSA');
  });

  it('verifies SM2SM3 credentials signed with the default signer id', async () => {
    const { publicJwk, privateJwk } = generateSm2KeyPair();
    const key: IssuingKey = await toIssuingKey(
      { ...publicJwk, kid: 'sh-sm2' },
      { notBefore: '2026-01-01T00:00:00Z' },
    );
    expect(key.alg).toBe('SM2SM3');
    expect(key.sm2UserId).toBe('1234567812345678');
    issuer.issuingKeys?.push(key);
    const token = signCompactSm2(
      Buffer.from(JSON.stringify(claims)),
      { kid: 'sh-sm2', typ: TYP },
      importSm2PrivateJwk(privateJwk),
    );
    expect((await verifier.verify(token, NOW)).key.kid).toBe('sh-sm2');
    const other = generateSm2KeyPair();
    const forged = signCompactSm2(
      Buffer.from(JSON.stringify(claims)),
      { kid: 'sh-sm2', typ: TYP },
      importSm2PrivateJwk(other.privateJwk),
    );
    expect(await rejection(forged)).toBe('signature-invalid');
  });

  it('names each failure', async () => {
    const token = await issue(es256, 'sh-pass-2026', 'ES256');
    expect(await rejection(`${token.slice(0, -4)}AAAA`)).toBe('signature-invalid');
    expect(await rejection(await issue(es256, 'nope', 'ES256'))).toBe('key-unknown');
    expect(
      await rejection(await issue(es256, 'sh-pass-2026', 'ES256', { ...claims, iss: 'xx-nobody' })),
    ).toBe('issuer-unknown');
    issuer.roles = ['province'];
    expect(await rejection(token)).toBe('issuer-not-authorised');
    issuer.roles = ['credential-issuer'];
    issuer.status = 'suspended';
    expect(await rejection(token)).toBe('issuer-suspended');
    issuer.status = 'active';
    (issuer.issuingKeys as IssuingKey[])[0] = {
      ...(issuer.issuingKeys?.[0] as IssuingKey),
      notAfter: '2026-12-01T00:00:00Z',
    };
    expect(await rejection(token)).toBe('key-expired');
  });

  it('refuses alg none and HS256', async () => {
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'sh-pass-2026', typ: TYP })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.AA`;
    expect(await rejection(none)).toBe('algorithm-rejected');
  });

  it('never throws anything but CredentialRejection on arbitrary input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.anything()), async (input) => {
        const result = await verifier.verify(input, NOW).then(
          () => 'accepted',
          (error: unknown) => error,
        );
        expect(result).toBeInstanceOf(CredentialRejection);
      }),
      { numRuns: 500 },
    );
  });
});

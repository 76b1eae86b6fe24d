import { generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { keyWindowState } from '#lib/registry/partner.ts';
import { InvalidPartnerKeyError, toPartnerKey } from '#lib/registry/partner-keys.ts';

const ecPublic = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as JWK;
const window = { notBefore: '2026-01-01T00:00:00Z' };

describe('toPartnerKey', () => {
  it('derives the algorithm from the key type and a thumbprint kid', async () => {
    const key = await toPartnerKey(ecPublic(), window);
    expect(key.alg).toBe('ES256');
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as JWK;
    expect((await toPartnerKey({ ...ed, kid: 'js-1' }, window)).alg).toBe('EdDSA');
  });

  it('refuses a private key', async () => {
    const privateJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      format: 'jwk',
    }) as JWK;
    await expect(toPartnerKey(privateJwk, window)).rejects.toThrow('private member "d"');
  });

  it.each([
    [
      'RSA',
      () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as JWK,
    ],
    [
      'P-384',
      () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }) as JWK,
    ],
    ['an oct secret', () => ({ kty: 'oct', k: 'c2VjcmV0' }) as JWK],
  ])('refuses %s keys', async (_kind, make) => {
    await expect(toPartnerKey(make(), window)).rejects.toBeInstanceOf(InvalidPartnerKeyError);
  });

  it('refuses a key that is not a point on its curve, and an unusable kid', async () => {
    await expect(toPartnerKey({ ...ecPublic(), x: 'AAAA' }, window)).rejects.toThrow(
      'not a valid ES256 public key',
    );
    await expect(toPartnerKey({ ...ecPublic(), kid: 'k'.repeat(129) }, window)).rejects.toThrow(
      'kid must be',
    );
    await expect(toPartnerKey({ ...ecPublic(), kid: '密钥-1' }, window)).rejects.toThrow('kid must be');
  });

  it('refuses a declared alg that the key type cannot sign', async () => {
    await expect(toPartnerKey({ ...ecPublic(), alg: 'EdDSA' }, window)).rejects.toThrow('declares alg EdDSA');
  });

  it('refuses a window that ends before it starts', async () => {
    await expect(
      toPartnerKey(ecPublic(), { notBefore: '2026-06-01T00:00:00Z', notAfter: '2026-01-01T00:00:00Z' }),
    ).rejects.toThrow('notAfter');
  });
});

describe('keyWindowState', () => {
  const key = { notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-07-01T00:00:00Z' };
  it.each([
    ['2025-12-31T23:59:59Z', 'not-yet-valid'],
    ['2026-01-01T00:00:00Z', 'valid'],
    ['2026-06-30T23:59:59Z', 'valid'],
    ['2026-07-01T00:00:00Z', 'expired'],
  ])('at %s the key is %s', (at, state) => {
    expect(keyWindowState(key, new Date(at))).toBe(state);
  });
});

import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject, sign } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Signer } from '#lib/signing/signer.ts';

const ALG_FOR: Record<string, { alg: string; digest: string | null }> = {
  'EC/P-256': { alg: 'ES256', digest: 'sha256' },
  'OKP/Ed25519': { alg: 'EdDSA', digest: null },
};

/**
 * A signer holding its private key in process memory, from a private JWK. Used by the local
 * runner's demo partners, tests and the partner CLI; the deployed hub signs with KMS instead.
 * The `kid` defaults to the RFC 7638 thumbprint of the public key.
 */
export async function localKeySigner(privateJwk: JWK, kid?: string): Promise<Signer> {
  const profile = ALG_FOR[`${privateJwk.kty}/${privateJwk.crv}`];
  if (!profile || privateJwk.d === undefined) {
    throw new TypeError('localKeySigner needs a private EC P-256 or OKP Ed25519 JWK');
  }
  const key: KeyObject = createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' });
  const { d: _private, ...publicPart } = privateJwk;
  const resolvedKid = kid ?? privateJwk.kid ?? (await calculateJwkThumbprint(publicPart));
  const publicJwk: JWK = {
    ...(createPublicKey(key).export({ format: 'jwk' }) as JWK),
    kid: resolvedKid,
    alg: profile.alg,
    use: 'sig',
  };
  return {
    kid: resolvedKid,
    alg: profile.alg,
    sign: async (input) => new Uint8Array(sign(profile.digest, input, { key, dsaEncoding: 'ieee-p1363' })),
    publicJwk: async () => publicJwk,
  };
}

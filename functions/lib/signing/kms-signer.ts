import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Signer } from '#lib/signing/signer.ts';

/**
 * ES256 signer whose private key never leaves AWS KMS (key spec ECC_NIST_P256, usage SIGN_VERIFY).
 * The public key is fetched once per cold start; `kid` is its RFC 7638 thumbprint, so a rotated
 * key gets a new kid without anyone choosing one.
 */
export async function kmsSigner(kms: KMSClient, keyId: string): Promise<Signer> {
  const publicJwk = await kmsPublicJwk(kms, keyId);
  const kid = publicJwk.kid as string;
  return {
    kid,
    alg: 'ES256',
    publicJwk: async () => publicJwk,
    async sign(input) {
      const { Signature } = await kms.send(
        new SignCommand({
          KeyId: keyId,
          Message: input,
          MessageType: 'RAW',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      if (!Signature) throw new Error(`KMS returned no signature for key ${keyId}`);
      return derToJoseEcdsa(Signature, 32);
    },
  };
}

/** The JWK (with thumbprint kid) of a KMS asymmetric signing key. */
export async function kmsPublicJwk(kms: KMSClient, keyId: string): Promise<JWK> {
  const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  if (!PublicKey) throw new Error(`KMS returned no public key for ${keyId}`);
  const jwk = createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' }).export({
    format: 'jwk',
  }) as JWK;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
    throw new Error(`KMS key ${keyId} must be an ECC_NIST_P256 signing key (got ${jwk.kty}/${jwk.crv})`);
  }
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' };
}

/**
 * KMS returns ECDSA signatures DER-encoded (SEQUENCE of two INTEGERs); JWS wants the fixed-width
 * concatenation r||s (RFC 7518 §3.4).
 */
export function derToJoseEcdsa(der: Uint8Array, size: number): Uint8Array {
  const fail = (): never => {
    throw new Error('malformed DER ECDSA signature');
  };
  let offset = 0;
  const byteAt = (i: number): number => der[i] ?? fail();
  if (byteAt(offset++) !== 0x30) fail();
  let seqLength = byteAt(offset++);
  if (seqLength & 0x80) {
    const lengthBytes = seqLength & 0x7f;
    seqLength = 0;
    for (let i = 0; i < lengthBytes; i++) seqLength = (seqLength << 8) | byteAt(offset++);
  }
  if (offset + seqLength !== der.length) fail();
  const out = new Uint8Array(size * 2);
  for (const half of [0, 1]) {
    if (byteAt(offset++) !== 0x02) fail();
    const length = byteAt(offset++);
    let integer = der.subarray(offset, offset + length);
    offset += length;
    while (integer.length > size && integer[0] === 0) integer = integer.subarray(1);
    if (integer.length > size) fail();
    out.set(integer, half * size + (size - integer.length));
  }
  return out;
}

import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { importSm2PublicJwk, SM2_DEFAULT_USER_ID, SM2_JWS_ALG } from '#lib/crypto/sm2-jws.ts';
import { keyWindowProblem, privateMemberOf } from '#lib/registry/partner-keys.ts';

/**
 * Keys a credential issuer signs passes and licences with. Separate from its API keys: the app
 * backend that issues credentials and the system that calls the hub are different systems with
 * different custodians, and compromise of one must not let it impersonate the other.
 */
export const CREDENTIAL_ALGORITHMS = ['ES256', 'EdDSA', SM2_JWS_ALG] as const;
export type CredentialAlgorithm = (typeof CREDENTIAL_ALGORITHMS)[number];

export const isCredentialAlgorithm = (alg: unknown): alg is CredentialAlgorithm =>
  typeof alg === 'string' && (CREDENTIAL_ALGORITHMS as readonly string[]).includes(alg);

export interface IssuingKey {
  kid: string;
  alg: CredentialAlgorithm;
  /** Public JWK: EC P-256, OKP Ed25519, or EC `crv: "SM2"` (GB/T 32918). */
  jwk: JWK;
  notBefore: string;
  notAfter?: string;
  /** SM2 signer distinguishing ID (Z_A); only for SM2SM3 keys. Default `1234567812345678`. */
  sm2UserId?: string;
}

export class InvalidIssuingKeyError extends Error {
  override readonly name = 'InvalidIssuingKeyError';
  readonly code = 'invalid-issuing-key';
}

export function issuingAlgorithmFor(jwk: JWK): CredentialAlgorithm {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'SM2') return SM2_JWS_ALG;
  throw new InvalidIssuingKeyError(
    `unsupported issuing key ${String(jwk.kty)}/${String(jwk.crv)}: use EC P-256, OKP Ed25519 or EC SM2`,
  );
}

/** Validates a submitted public JWK and turns it into an issuing key entry. */
export async function toIssuingKey(
  jwk: JWK & { sm2UserId?: string },
  window: { notBefore: string; notAfter?: string },
): Promise<IssuingKey> {
  const member = privateMemberOf(jwk);
  if (member)
    throw new InvalidIssuingKeyError(`key contains private member "${member}": publish the public key only`);
  const alg = issuingAlgorithmFor(jwk);
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw new InvalidIssuingKeyError(
      `key declares alg ${jwk.alg} but a ${jwk.kty}/${jwk.crv} key signs ${alg}`,
    );
  }
  const windowProblem = keyWindowProblem(window);
  if (windowProblem) throw new InvalidIssuingKeyError(windowProblem);
  const publicJwk: JWK = {
    kty: jwk.kty,
    crv: jwk.crv,
    x: jwk.x,
    ...(jwk.y === undefined ? {} : { y: jwk.y }),
  };
  if (alg === SM2_JWS_ALG) {
    try {
      importSm2PublicJwk(publicJwk);
    } catch (cause) {
      throw new InvalidIssuingKeyError('SM2 public key is not a point on the SM2 curve', { cause });
    }
  }
  const kid =
    jwk.kid ?? (alg === SM2_JWS_ALG ? sm2Thumbprint(publicJwk) : await calculateJwkThumbprint(publicJwk));
  return {
    kid,
    alg,
    jwk: { ...publicJwk, kid, alg, use: 'sig' },
    notBefore: new Date(window.notBefore).toISOString(),
    ...(window.notAfter === undefined ? {} : { notAfter: new Date(window.notAfter).toISOString() }),
    ...(alg === SM2_JWS_ALG ? { sm2UserId: jwk.sm2UserId ?? SM2_DEFAULT_USER_ID } : {}),
  };
}

/** RFC 7638 thumbprint of an EC key, computed by hand because jose refuses the SM2 curve name. */
function sm2Thumbprint(jwk: JWK): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

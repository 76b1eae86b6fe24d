import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import type { PartnerKey } from '#lib/registry/partner.ts';
import type { PartnerAlgorithm } from '#lib/signing/protocol.ts';

export class InvalidPartnerKeyError extends Error {
  override readonly name = 'InvalidPartnerKeyError';
  readonly code = 'invalid-partner-key';
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;

/** What is wrong with a key's validity window, if anything (shared by API and issuing keys). */
export function keyWindowProblem(window: { notBefore: string; notAfter?: string }): string | undefined {
  if (Number.isNaN(Date.parse(window.notBefore)))
    return `notBefore "${window.notBefore}" is not an ISO 8601 instant`;
  if (window.notAfter !== undefined && !(Date.parse(window.notAfter) > Date.parse(window.notBefore))) {
    return 'notAfter must be an ISO 8601 instant later than notBefore';
  }
  return undefined;
}

/** The first private (or symmetric) member a JWK carries, if any: registries take public keys only. */
export const privateMemberOf = (jwk: object): string | undefined =>
  PRIVATE_MEMBERS.find((member) => member in jwk);

/** The one algorithm a key type may be used with: no algorithm confusion by construction. */
export function algorithmForJwk(jwk: JWK): PartnerAlgorithm {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  throw new InvalidPartnerKeyError(
    `unsupported key type ${String(jwk.kty)}/${String(jwk.crv)}: use EC P-256 (ES256) or OKP Ed25519 (EdDSA)`,
  );
}

/**
 * Turns a submitted public JWK into a registry key entry: checks it is public, of an allowed type,
 * that a declared `alg` matches the key type, and assigns the thumbprint as kid when none is given.
 */
export async function toPartnerKey(
  jwk: JWK,
  window: { notBefore: string; notAfter?: string },
): Promise<PartnerKey> {
  const member = privateMemberOf(jwk);
  if (member)
    throw new InvalidPartnerKeyError(`key contains private member "${member}": register the public key only`);
  const alg = algorithmForJwk(jwk);
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw new InvalidPartnerKeyError(
      `key declares alg ${jwk.alg} but a ${jwk.kty}/${jwk.crv} key signs ${alg}`,
    );
  }
  const windowProblem = keyWindowProblem(window);
  if (windowProblem) throw new InvalidPartnerKeyError(windowProblem);
  const publicJwk: JWK = {
    kty: jwk.kty,
    crv: jwk.crv,
    x: jwk.x,
    ...(jwk.y === undefined ? {} : { y: jwk.y }),
  };
  try {
    // Import now, so a key that cannot verify anything is refused at registration rather than
    // failing every request signed with it.
    await importJWK(publicJwk, alg);
  } catch (cause) {
    throw new InvalidPartnerKeyError(`key is not a valid ${alg} public key`, { cause });
  }
  const kid = jwk.kid ?? (await calculateJwkThumbprint(publicJwk));
  if (!/^[\x21-\x7e]{1,128}$/.test(kid)) {
    throw new InvalidPartnerKeyError(
      'kid must be 1–128 printable ASCII characters (the signature header limit)',
    );
  }
  return {
    kid,
    alg,
    jwk: { ...publicJwk, kid, alg, use: 'sig' },
    notBefore: new Date(window.notBefore).toISOString(),
    ...(window.notAfter === undefined ? {} : { notAfter: new Date(window.notAfter).toISOString() }),
  };
}

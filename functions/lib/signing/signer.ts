import { base64url, type JWK } from 'jose';
import { signingInput } from '#lib/signing/detached-jws.ts';

/**
 * Something that can produce JWS signatures with one key. The hub's production signer keeps its
 * private key in KMS (`kms-signer.ts`); tests and partner tools use `local-key-signer.ts`.
 */
export interface Signer {
  readonly kid: string;
  readonly alg: string;
  /** Returns the JWS signature (for ECDSA: raw r||s, not DER) over `input`. */
  sign(input: Uint8Array): Promise<Uint8Array>;
  /** Public half as a JWK (with kid, alg, use), for publishing. */
  publicJwk(): Promise<JWK>;
}

/** Builds the detached compact JWS header value `protected..signature`. */
export async function signDetached(
  signer: Signer,
  header: Record<string, unknown>,
  payload: Uint8Array,
): Promise<string> {
  const protectedB64 = base64url.encode(JSON.stringify({ ...header, alg: signer.alg, kid: signer.kid }));
  const signature = await signer.sign(signingInput(protectedB64, payload));
  return `${protectedB64}..${base64url.encode(signature)}`;
}

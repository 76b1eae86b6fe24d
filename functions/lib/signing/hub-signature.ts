import { base64url, createLocalJWKSet, errors, flattenedVerify, type JSONWebKeySet } from 'jose';
import { parseDetachedJws } from '#lib/signing/detached-jws.ts';
import { HUB_ISSUER, type REQUEST_TYP, RESPONSE_TYP } from '#lib/signing/protocol.ts';

/**
 * Partner-side check of something the hub signed: a response or a callback. Verifies the detached
 * JWS against the hub's JWKS (ES256 only) and returns the protected header for the caller to check
 * htm/htu/sts/irt against what it sent. Used by the local partner sandbox, the CLI and the tests;
 * docs/protocol.md describes the same steps for other languages.
 */
export class HubSignatureError extends Error {
  override readonly name = 'HubSignatureError';
}

export async function verifyHubSignature(
  jwks: JSONWebKeySet,
  signature: string | null | undefined,
  body: Uint8Array,
  expectedTyp: typeof RESPONSE_TYP | typeof REQUEST_TYP = RESPONSE_TYP,
): Promise<Record<string, unknown>> {
  if (!signature) throw new HubSignatureError('no x-jws-signature header');
  const jws = parseDetachedJws(signature);
  if (jws.header.iss !== HUB_ISSUER)
    throw new HubSignatureError(`iss is ${String(jws.header.iss)}, not ${HUB_ISSUER}`);
  // A callback must not pass as a response, nor the other way round.
  if (jws.header.typ !== expectedTyp) {
    throw new HubSignatureError(`typ is ${String(jws.header.typ)}, not ${expectedTyp}`);
  }
  try {
    await flattenedVerify(
      { protected: jws.protectedB64, payload: base64url.encode(body), signature: jws.signatureB64 },
      createLocalJWKSet(jwks),
      { algorithms: ['ES256'] },
    );
  } catch (error) {
    if (error instanceof errors.JOSEError)
      throw new HubSignatureError(`hub signature rejected: ${error.code}`, { cause: error });
    throw error;
  }
  return jws.header;
}

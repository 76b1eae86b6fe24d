import { base64url } from 'jose';
import type { Signer } from '#lib/signing/signer.ts';

/**
 * A self-contained compact JWS (`header.payload.signature`) over a JSON payload, signed by `signer`.
 * For documents a partner keeps and checks offline (trust lists, status lists, verification
 * receipts), unlike the detached signatures of HTTP messages.
 */
export async function signCompact(
  signer: Signer,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<string> {
  const protectedB64 = base64url.encode(JSON.stringify({ ...header, alg: signer.alg, kid: signer.kid }));
  const payloadB64 = base64url.encode(JSON.stringify(payload));
  const signature = await signer.sign(new TextEncoder().encode(`${protectedB64}.${payloadB64}`));
  return `${protectedB64}.${payloadB64}.${base64url.encode(signature)}`;
}

import { base64url } from 'jose';

/**
 * Detached compact JWS: `BASE64URL(header) + '..' + BASE64URL(signature)`. The payload travels as
 * the HTTP body and is re-inserted (base64url-encoded) for verification.
 */
export interface DetachedJws {
  protectedB64: string;
  signatureB64: string;
  header: Record<string, unknown>;
}

const B64URL = /^[A-Za-z0-9_-]+$/;
/** Headers are small; anything larger is an attack on the parser, not a signature. */
export const MAX_SIGNATURE_HEADER_LENGTH = 4096;

export class DetachedJwsFormatError extends Error {
  override readonly name = 'DetachedJwsFormatError';
}

/** Parses the header value, or throws `DetachedJwsFormatError` saying what is wrong with it. */
export function parseDetachedJws(value: string): DetachedJws {
  if (value.length > MAX_SIGNATURE_HEADER_LENGTH) {
    throw new DetachedJwsFormatError(`is longer than ${MAX_SIGNATURE_HEADER_LENGTH} characters`);
  }
  const parts = value.trim().split('.');
  if (parts.length !== 3) {
    throw new DetachedJwsFormatError('must have three dot-separated parts: header..signature');
  }
  const [protectedB64, payloadPart, signatureB64] = parts as [string, string, string];
  if (payloadPart !== '') {
    throw new DetachedJwsFormatError('must be detached: the middle (payload) part must be empty');
  }
  if (!B64URL.test(protectedB64) || !B64URL.test(signatureB64)) {
    throw new DetachedJwsFormatError('header and signature parts must be unpadded base64url');
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64url.decode(protectedB64)));
  } catch (cause) {
    throw new DetachedJwsFormatError('protected header is not base64url-encoded UTF-8 JSON', { cause });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new DetachedJwsFormatError('protected header must be a JSON object');
  }
  return { protectedB64, signatureB64, header: header as Record<string, unknown> };
}

/** JWS signing input for a detached signature over `payload`. */
export function signingInput(protectedB64: string, payload: Uint8Array): Uint8Array {
  return new TextEncoder().encode(`${protectedB64}.${base64url.encode(payload)}`);
}

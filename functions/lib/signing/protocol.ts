/**
 * The Delta Hub signed-message profile (docs/protocol.md is the normative text).
 *
 * A request or response carries a detached JWS (RFC 7515 Appendix F) in one header. The payload is
 * the exact body bytes, base64url-encoded as in any ordinary JWS (no `b64: false`), and the
 * protected header binds the HTTP method, the path and query, the time and a nonce, so a captured
 * signature cannot be replayed onto another body, route or moment.
 */

export const SIGNATURE_HEADER = 'x-jws-signature';

/** Who signs hub answers and hub-initiated calls. */
export const HUB_ISSUER = 'delta-hub';

export const REQUEST_TYP = 'delta-hub-request+jws';
export const RESPONSE_TYP = 'delta-hub-response+jws';

/** Partner keys may use these; anything else (`none`, `HS*`, RSA…) is refused before any key lookup. */
export const PARTNER_ALGORITHMS = ['ES256', 'EdDSA'] as const;
export type PartnerAlgorithm = (typeof PARTNER_ALGORITHMS)[number];

export const isPartnerAlgorithm = (alg: unknown): alg is PartnerAlgorithm =>
  typeof alg === 'string' && (PARTNER_ALGORITHMS as readonly string[]).includes(alg);

/** Nonces are base64url, 22–128 characters: at least 128 bits when random. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;

/** Partner ids double as `iss`; lowercase slug so they are safe in keys, queue names and URLs. */
export const PARTNER_ID_PATTERN = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;

/** Protected header of a signed request (partner → hub, or hub → partner callback). */
export interface RequestProtectedHeader {
  alg: string;
  kid: string;
  typ: typeof REQUEST_TYP;
  /** Signer: the partner id, or `delta-hub` on callbacks. */
  iss: string;
  /** HTTP method, upper case. */
  htm: string;
  /** Path and query exactly as sent, without scheme and host (e.g. `/v1/echo?lang=zh`). */
  htu: string;
  /** Signing time, NumericDate (whole seconds). */
  iat: number;
  /** Single-use nonce. */
  jti: string;
}

/** Protected header of a signed hub response. */
export interface ResponseProtectedHeader {
  alg: string;
  kid: string;
  typ: typeof RESPONSE_TYP;
  iss: typeof HUB_ISSUER;
  htm: string;
  htu: string;
  iat: number;
  jti: string;
  /** HTTP status of the response, so a 200 cannot be passed off as a 4xx or the other way round. */
  sts: number;
  /** `jti` of the request this answers; present only when the request passed verification. */
  irt?: string;
}

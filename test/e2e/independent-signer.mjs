/**
 * An independent Delta Hub client, written from docs/protocol.md alone, the way a partner engineer
 * in any language would write one: it uses only `node:crypto` and `node:buffer`, and imports
 * nothing from the hub's code base and no JOSE library. The e2e test sends what it signs to a real
 * local hub, so if the document and the hub ever disagree, that test fails.
 *
 * Section references (§) are to docs/protocol.md.
 */
import { Buffer } from 'node:buffer';
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';

/** §3 Header name. */
export const SIGNATURE_HEADER = 'x-jws-signature';
/** §5 typ values. */
export const REQUEST_TYP = 'delta-hub-request+jws';
export const RESPONSE_TYP = 'delta-hub-response+jws';
/** §10 The hub's issuer name. */
export const HUB_ISSUER = 'delta-hub';

const NONCE_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;
const B64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

/** base64url without padding (RFC 7515 §2). */
const b64url = (bytes) => Buffer.from(bytes).toString('base64url');

/** §6 Algorithms: the key type decides the algorithm, never the other way round. */
function algorithmFor(jwk) {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  throw new TypeError(`unsupported key ${jwk.kty}/${jwk.crv}: use EC P-256 (ES256) or OKP Ed25519 (EdDSA)`);
}

/**
 * §9 kid: the one registered with the key, or else the RFC 7638 thumbprint of the public key
 * (SHA-256 over the required members in lexicographic order, no whitespace).
 */
export function jwkThumbprint(jwk) {
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members), 'utf8').digest('base64url');
}

/** §4 The JWS signing input: ASCII(BASE64URL(UTF8(protected)) || '.' || BASE64URL(body)). */
function signingInput(protectedB64, bodyBytes) {
  return Buffer.from(`${protectedB64}.${b64url(bodyBytes)}`, 'ascii');
}

const toBytes = (body) =>
  body === undefined || body === null
    ? Buffer.alloc(0)
    : typeof body === 'string'
      ? Buffer.from(body, 'utf8')
      : Buffer.from(body);

/**
 * §4–§7: the `x-jws-signature` value for one request.
 *
 * @param {object} request
 * @param {object} request.privateJwk EC P-256 or OKP Ed25519 private JWK (with `d`)
 * @param {string} request.iss your partner id
 * @param {string} request.method HTTP method
 * @param {string} request.pathAndQuery path and query exactly as they go on the request line
 * @param {string | Uint8Array} [request.body] the exact body bytes (a string is sent as UTF-8)
 * @param {number} [request.iat] NumericDate; defaults to now
 * @param {string} [request.jti] nonce; defaults to 16 random bytes, base64url
 * @returns {string} `BASE64URL(protected)..BASE64URL(signature)`
 */
export function signRequest({ privateJwk, iss, method, pathAndQuery, body, iat, jti }) {
  const alg = algorithmFor(privateJwk);
  if (typeof privateJwk.d !== 'string') throw new TypeError('privateJwk must be a private key (with "d")');
  const nonce = jti ?? randomBytes(16).toString('base64url');
  if (!NONCE_PATTERN.test(nonce)) throw new TypeError('jti must be 22–128 base64url characters');
  const header = {
    alg,
    kid: privateJwk.kid ?? jwkThumbprint(privateJwk),
    typ: REQUEST_TYP,
    iss,
    htm: method.toUpperCase(),
    htu: pathAndQuery,
    iat: iat ?? Math.floor(Date.now() / 1000),
    jti: nonce,
  };
  const protectedB64 = b64url(Buffer.from(JSON.stringify(header), 'utf8'));
  const input = signingInput(protectedB64, toBytes(body));
  const key = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const signature =
    alg === 'ES256'
      ? // §6: JWS wants raw r||s (64 bytes), not the DER that ECDSA APIs return by default.
        sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' })
      : // Ed25519 hashes internally: no digest argument.
        sign(null, input, key);
  return `${protectedB64}..${b64url(signature)}`;
}

export class HubSignatureRejected extends Error {
  name = 'HubSignatureRejected';
}

/** §3: splits and decodes a detached compact JWS, refusing anything that is not exactly one. */
function parseDetached(value) {
  if (typeof value !== 'string' || value.length === 0)
    throw new HubSignatureRejected(`no ${SIGNATURE_HEADER} header`);
  const parts = value.trim().split('.');
  if (parts.length !== 3 || parts[1] !== '') throw new HubSignatureRejected('not a detached compact JWS');
  const [protectedB64, , signatureB64] = parts;
  if (!B64URL_PATTERN.test(protectedB64) || !B64URL_PATTERN.test(signatureB64)) {
    throw new HubSignatureRejected('parts are not unpadded base64url');
  }
  let header;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(protectedB64, 'base64url')),
    );
  } catch {
    throw new HubSignatureRejected('protected header is not UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new HubSignatureRejected('protected header is not a JSON object');
  }
  return { protectedB64, signature: Buffer.from(signatureB64, 'base64url'), header };
}

/** §10: checks one hub signature (ES256, key from the hub JWKS by kid) of the given typ. */
function verifyHubSignature({ jwks, signature, body, typ }) {
  const jws = parseDetached(signature);
  const { header } = jws;
  if (header.alg !== 'ES256') throw new HubSignatureRejected(`hub signs with ES256, not ${header.alg}`);
  if ('b64' in header || 'crit' in header) throw new HubSignatureRejected('unexpected b64/crit');
  if (header.typ !== typ) throw new HubSignatureRejected(`typ is ${header.typ}, expected ${typ}`);
  if (header.iss !== HUB_ISSUER) throw new HubSignatureRejected(`iss is ${header.iss}, not ${HUB_ISSUER}`);
  const jwk = (jwks?.keys ?? []).find((candidate) => candidate.kid === header.kid);
  if (!jwk) throw new HubSignatureRejected(`kid ${header.kid} is not in the hub JWKS (refetch it once)`);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || (jwk.alg !== undefined && jwk.alg !== 'ES256')) {
    throw new HubSignatureRejected(`hub key ${header.kid} is not an ES256 key`);
  }
  if (jws.signature.length !== 64) throw new HubSignatureRejected('ES256 signature must be 64 bytes (r||s)');
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
  const ok = verify(
    'sha256',
    signingInput(jws.protectedB64, toBytes(body)),
    { key, dsaEncoding: 'ieee-p1363' },
    jws.signature,
  );
  if (!ok) throw new HubSignatureRejected('hub signature does not verify over this body');
  return header;
}

/**
 * §10: verifies the signature on a hub response and, when `expect` is given, that it answers the
 * request that was sent (htm, htu, sts, irt) and is recent. Returns the protected header.
 *
 * @param {object} input
 * @param {{ keys: object[] }} input.jwks the hub JWKS (GET /.well-known/jwks.json)
 * @param {string | null | undefined} input.signature the response's x-jws-signature header
 * @param {Uint8Array | string} input.body the exact response body bytes
 * @param {{ method: string, pathAndQuery: string, status: number, jti?: string, windowSeconds?: number }} [input.expect]
 */
export function verifyHubResponse({ jwks, signature, body, expect }) {
  const header = verifyHubSignature({ jwks, signature, body, typ: RESPONSE_TYP });
  if (expect) {
    if (header.htm !== expect.method.toUpperCase())
      throw new HubSignatureRejected(`htm ${header.htm} is not ${expect.method}`);
    if (header.htu !== expect.pathAndQuery)
      throw new HubSignatureRejected(`htu ${header.htu} is not ${expect.pathAndQuery}`);
    if (header.sts !== expect.status)
      throw new HubSignatureRejected(`sts ${header.sts} is not the HTTP status ${expect.status}`);
    if (expect.jti !== undefined && header.irt !== expect.jti) {
      throw new HubSignatureRejected(`irt ${header.irt} does not name the request's jti ${expect.jti}`);
    }
    checkFresh(header, expect.windowSeconds);
  }
  return header;
}

/**
 * §11: verifies a callback the hub POSTed to this partner: the request profile with iss
 * `delta-hub`, signed with a key of the hub JWKS, bound to this endpoint's path. Nonce tracking
 * and deduplication on the event id stay with the caller. Returns the protected header.
 */
export function verifyHubCallback({ jwks, signature, body, method, pathAndQuery, windowSeconds }) {
  const header = verifyHubSignature({ jwks, signature, body, typ: REQUEST_TYP });
  if (header.htm !== method.toUpperCase())
    throw new HubSignatureRejected(`htm ${header.htm} is not ${method}`);
  if (header.htu !== pathAndQuery) throw new HubSignatureRejected(`htu ${header.htu} is not ${pathAndQuery}`);
  if (typeof header.jti !== 'string' || !NONCE_PATTERN.test(header.jti))
    throw new HubSignatureRejected('bad jti');
  checkFresh(header, windowSeconds);
  return header;
}

function checkFresh(header, windowSeconds = 300) {
  if (
    !Number.isSafeInteger(header.iat) ||
    Math.abs(header.iat - Math.floor(Date.now() / 1000)) > windowSeconds
  ) {
    throw new HubSignatureRejected(`iat ${header.iat} is outside ±${windowSeconds} s`);
  }
}

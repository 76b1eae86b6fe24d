/**
 * SM2 signatures over SM3 digests (GB/T 32918.2, GB/T 32905, GM/T 0009) and a compact JWS profile for them.
 *
 * Why this module exists: Chinese e-licences (电子证照) are sealed with SM2, jose has no SM2 algorithm, and
 * Node's own `crypto.sign('sm3', data, key)` never produces the GM/T 0009 signature. On Node 20
 * (OpenSSL 3.0) it does one of two things, depending on where the KeyObject came from:
 *
 * - a key from `generateKeyPairSync('ec', { namedCurve: 'SM2' })` (`asymmetricKeyType: 'ec'`) gets plain
 *   ECDSA with SM3 over the SM2 curve: no Z_A prefix and a different signing equation;
 * - a key imported from DER (OpenSSL decodes it as an SM2 key; Node reports `asymmetricKeyType: undefined`
 *   and ignores `dsaEncoding`) gets OpenSSL's real SM2, but over an EMPTY distinguishing ID, and Node has
 *   no way to pass the default ID `1234567812345678`.
 *
 * So this module never hands an SM2 key to `crypto.sign`:
 *
 * - the digest e = SM3(Z_A || M), Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA), is computed here
 *   with Node's `sm3` hash and the default ID `1234567812345678`;
 * - signing takes k and k·G from OpenSSL (`createECDH('SM2')`, constant-time scalar multiplication) and does
 *   the two scalar equations mod n with BigInt (r = e + x1, s = (1 + d)⁻¹ (k − r·d));
 * - verification (public data only) is plain BigInt curve arithmetic.
 *
 * Interoperability is pinned by tests against sm-crypto (an independent SM2 implementation), against
 * OpenSSL's own SM2 signer, and against SM2SM3 JWS vectors published by fibjs.
 *
 * Side-channel note: the mod-n arithmetic on the private scalar uses BigInt, which is not constant time
 * (the inversion is blinded). For long-lived sealing keys prefer an HSM/KMS: {@link sm2Digest} yields the
 * 32-byte e that a service signing SM2 over a precomputed digest takes (e.g. AWS KMS `SM2DSA` with
 * `MessageType: DIGEST`, China regions; confirm which distinguishing ID such a service assumes).
 *
 * @module
 */
import { Buffer } from 'node:buffer';
import {
  createECDH,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
} from 'node:crypto';

/**
 * The JWS `alg` value for SM2 signatures with SM3 digests.
 *
 * Why `SM2SM3` rather than `SM2` or `SM2-SM3`: no JOSE registration exists (draft-dang-webauthn-sm2 expired
 * in 2022), so we follow the implementations that already put SM2 in a JWS: fibjs's `jws` module signs and
 * verifies `alg: "SM2SM3"`, the same mnemonic DNSSEC registered for SM2 with SM3 (algorithm 17,
 * RFC 9563). `SM2` alone would collide with the `crv` value and names no digest.
 *
 * Caveat: fibjs hashes an EMPTY user ID (OpenSSL's default), whereas this profile uses the GM/T 0009
 * default `1234567812345678`; pass `{ userId: '' }` to verify such tokens.
 */
export const SM2_JWS_ALG = 'SM2SM3';

/** GM/T 0009 / GB/T 35276 default signer distinguishing ID ("user ID"), used when none is agreed. */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

/**
 * Stable error codes. They are jose's own codes, so a caller can branch on `err.code` the same way for
 * SM2 and for jose-verified tokens.
 */
export type Sm2JwsErrorCode =
  | 'ERR_JWS_INVALID'
  | 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
  | 'ERR_JOSE_ALG_NOT_ALLOWED'
  | 'ERR_JOSE_NOT_SUPPORTED'
  | 'ERR_JWK_INVALID';

/** Base class of every error this module throws; nothing else escapes its functions. */
export class Sm2JwsError extends Error {
  override name = 'Sm2JwsError';
  readonly code: Sm2JwsErrorCode;

  constructor(code: Sm2JwsErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The token is not a well-formed compact JWS, or its protected header is malformed (jose `JWSInvalid`). */
export class Sm2JwsInvalidError extends Sm2JwsError {
  static readonly code = 'ERR_JWS_INVALID';
  override name = 'Sm2JwsInvalidError';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_JWS_INVALID', message, options);
  }
}

/** The signature does not verify (jose `JWSSignatureVerificationFailed`). */
export class Sm2SignatureVerificationFailedError extends Sm2JwsError {
  static readonly code = 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
  override name = 'Sm2SignatureVerificationFailedError';

  constructor(message = 'signature verification failed', options?: ErrorOptions) {
    super('ERR_JWS_SIGNATURE_VERIFICATION_FAILED', message, options);
  }
}

/** The header names an algorithm other than {@link SM2_JWS_ALG} (jose `JOSEAlgNotAllowed`). */
export class Sm2AlgNotAllowedError extends Sm2JwsError {
  static readonly code = 'ERR_JOSE_ALG_NOT_ALLOWED';
  override name = 'Sm2AlgNotAllowedError';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_JOSE_ALG_NOT_ALLOWED', message, options);
  }
}

/** A feature this profile deliberately lacks: `crit` extensions, over-long user IDs (jose `JOSENotSupported`). */
export class Sm2NotSupportedError extends Sm2JwsError {
  static readonly code = 'ERR_JOSE_NOT_SUPPORTED';
  override name = 'Sm2NotSupportedError';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_JOSE_NOT_SUPPORTED', message, options);
  }
}

/** A JWK or KeyObject that is not a valid SM2 key of the expected kind (jose `JWKInvalid`). */
export class Sm2KeyInvalidError extends Sm2JwsError {
  static readonly code = 'ERR_JWK_INVALID';
  override name = 'Sm2KeyInvalidError';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_JWK_INVALID', message, options);
  }
}

/** Public SM2 key as a JWK: 32-byte big-endian coordinates, base64url without padding. */
export interface Sm2PublicJwk {
  kty: 'EC';
  crv: 'SM2';
  x: string;
  y: string;
  kid?: string;
  alg?: typeof SM2_JWS_ALG;
  use?: 'sig';
}

/** Private SM2 key as a JWK: the public members plus the 32-byte scalar `d`. */
export interface Sm2PrivateJwk extends Sm2PublicJwk {
  d: string;
}

/** Options shared by signing, verifying and digest computation. */
export interface Sm2Options {
  /**
   * Signer distinguishing ID hashed into Z_A; a string is UTF-8 encoded. Defaults to
   * {@link SM2_DEFAULT_USER_ID}. Both parties must agree on it.
   */
  userId?: string | Uint8Array;
}

/** Protected header of an SM2 JWS; `alg` is always {@link SM2_JWS_ALG}. */
export interface Sm2ProtectedHeader {
  alg: typeof SM2_JWS_ALG;
  kid?: string;
  typ?: string;
  cty?: string;
  [parameter: string]: unknown;
}

/** Result of {@link verifyCompactSm2}. */
export interface Sm2VerifyResult {
  payload: Uint8Array;
  protectedHeader: Sm2ProtectedHeader;
}

// ---------------------------------------------------------------------------------------------------------
// Curve: the SM2 recommended 256-bit prime curve (GB/T 32918.5, GM/T 0003.5), y² = x³ + ax + b over F_p.

const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const A = 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn; // p − 3
const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const GX = 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n;
const GY = 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n;

/** AlgorithmIdentifier { id-ecPublicKey, SM2 curve (OID 1.2.156.10197.1.301) }. */
const SM2_ALGORITHM_IDENTIFIER = Buffer.from('301306072a8648ce3d020106082a811ccf5501822d', 'hex');
/** DER prefix of an SM2 SubjectPublicKeyInfo, up to and including the uncompressed-point marker 0x04. */
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d03420004', 'hex');
/** DER prefix of a PKCS#8 EC private key on the SM2 curve, up to the 32-byte scalar. */
const PKCS8_PREFIX = Buffer.from(
  '308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420',
  'hex',
);
/** DER between the scalar and the uncompressed public point inside {@link PKCS8_PREFIX}'s structure. */
const PKCS8_PUBLIC_PREFIX = Buffer.from('a14403420004', 'hex');

const COORDINATE_BYTES = 32;
const SIGNATURE_BYTES = 64;
/** ENTL is a 16-bit count of ID bits, so the ID can be at most 8191 bytes. */
const MAX_USER_ID_BYTES = 8191;

const mod = (value: bigint, modulus: bigint): bigint => {
  const rest = value % modulus;
  return rest >= 0n ? rest : rest + modulus;
};

const modPow = (base: bigint, exponent: bigint, modulus: bigint): bigint => {
  let result = 1n;
  let square = mod(base, modulus);
  let remaining = exponent;
  while (remaining > 0n) {
    if (remaining & 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
    remaining >>= 1n;
  }
  return result;
};

/** Inverse modulo a prime by Fermat's little theorem. */
const modInverse = (value: bigint, prime: bigint): bigint => modPow(value, prime - 2n, prime);

const bytesToBigInt = (bytes: Uint8Array): bigint =>
  bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);

const bigIntTo32Bytes = (value: bigint): Buffer => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');

const isOnCurve = (x: bigint, y: bigint): boolean =>
  x >= 0n && x < P && y >= 0n && y < P && mod(y * y - (x * x * x + A * x + B), P) === 0n;

/** Jacobian point (X, Y, Z) ↦ (X/Z², Y/Z³); Z = 0 is the point at infinity. */
type Jacobian = readonly [bigint, bigint, bigint];
const INFINITY: Jacobian = [1n, 1n, 0n];

/** Point doubling with a = −3 (dbl-2001-b). */
const double = ([x, y, z]: Jacobian): Jacobian => {
  if (z === 0n || y === 0n) return INFINITY;
  const delta = (z * z) % P;
  const gamma = (y * y) % P;
  const beta = (x * gamma) % P;
  const alpha = mod(3n * (x - delta) * (x + delta), P);
  const x3 = mod(alpha * alpha - 8n * beta, P);
  const z3 = mod((y + z) * (y + z) - gamma - delta, P);
  const y3 = mod(alpha * (4n * beta - x3) - 8n * gamma * gamma, P);
  return [x3, y3, z3];
};

/** General Jacobian addition (add-1998-cmo-2), falling back to doubling for equal points. */
const add = (p1: Jacobian, p2: Jacobian): Jacobian => {
  const [x1, y1, z1] = p1;
  const [x2, y2, z2] = p2;
  if (z1 === 0n) return p2;
  if (z2 === 0n) return p1;
  const z1z1 = (z1 * z1) % P;
  const z2z2 = (z2 * z2) % P;
  const u1 = (x1 * z2z2) % P;
  const u2 = (x2 * z1z1) % P;
  const s1 = (y1 * z2 * z2z2) % P;
  const s2 = (y2 * z1 * z1z1) % P;
  if (u1 === u2) return s1 === s2 ? double(p1) : INFINITY;
  const h = mod(u2 - u1, P);
  const r = mod(s2 - s1, P);
  const h2 = (h * h) % P;
  const h3 = (h * h2) % P;
  const u1h2 = (u1 * h2) % P;
  const x3 = mod(r * r - h3 - 2n * u1h2, P);
  const y3 = mod(r * (u1h2 - x3) - s1 * h3, P);
  const z3 = (h * z1 * z2) % P;
  return [x3, y3, z3];
};

/** Affine x of u·G + v·Q (Shamir's trick); `undefined` for the point at infinity. Public inputs only. */
const combinedMultiplyX = (u: bigint, v: bigint, qx: bigint, qy: bigint): bigint | undefined => {
  const g: Jacobian = [GX, GY, 1n];
  const q: Jacobian = [qx, qy, 1n];
  const gq = add(g, q);
  let acc = INFINITY;
  for (let bit = 255n; bit >= 0n; bit--) {
    acc = double(acc);
    const uBit = (u >> bit) & 1n;
    const vBit = (v >> bit) & 1n;
    if (uBit && vBit) acc = add(acc, gq);
    else if (uBit) acc = add(acc, g);
    else if (vBit) acc = add(acc, q);
  }
  const [x, , z] = acc;
  if (z === 0n) return undefined;
  const zInverse = modInverse(z, P);
  return (x * zInverse * zInverse) % P;
};

// ---------------------------------------------------------------------------------------------------------
// Encodings

const toBase64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Strict base64url: the JOSE alphabet, no padding, and the canonical form only (no spare bits set). */
const fromBase64url = (text: string): Buffer | undefined => {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
};

const encodeUserId = (userId: string | Uint8Array | undefined): Buffer => {
  const id = userId === undefined ? SM2_DEFAULT_USER_ID : userId;
  const bytes = typeof id === 'string' ? Buffer.from(id, 'utf8') : Buffer.from(id);
  if (bytes.length > MAX_USER_ID_BYTES) {
    throw new Sm2NotSupportedError(`SM2 user ID is ${bytes.length} bytes; at most ${MAX_USER_ID_BYTES} fit`);
  }
  return bytes;
};

// ---------------------------------------------------------------------------------------------------------
// Keys

interface PublicPoint {
  x: bigint;
  y: bigint;
}

/**
 * Checks that `key` is a KeyObject of the wanted type that may be an SM2 key; the curve itself is checked
 * by the callers from the DER export, because Node reports SM2 keys inconsistently (generated ones as
 * `asymmetricKeyType: 'ec'`, DER-imported ones as `undefined`). Only DER SPKI/PKCS#8 export is used: on
 * Node 20, `export({ type: 'sec1' })` on a DER-imported SM2 key aborts the process (a native assertion).
 */
const assertKeyObject = (key: unknown, type: 'public' | 'private'): KeyObject => {
  if (!(key instanceof KeyObject)) throw new Sm2KeyInvalidError(`key must be a ${type} SM2 KeyObject`);
  if (key.type !== type) throw new Sm2KeyInvalidError(`key must be a ${type} SM2 key, got a ${key.type} key`);
  if (key.asymmetricKeyType !== undefined && key.asymmetricKeyType !== 'ec') {
    throw new Sm2KeyInvalidError(`key must be an SM2 key, got ${key.asymmetricKeyType}`);
  }
  return key;
};

const publicPoints = new WeakMap<KeyObject, PublicPoint>();

const pointFromUncompressed = (point: Uint8Array): PublicPoint => ({
  x: bytesToBigInt(point.subarray(1, 1 + COORDINATE_BYTES)),
  y: bytesToBigInt(point.subarray(1 + COORDINATE_BYTES)),
});

/** The point of a public SM2 KeyObject, read from its SubjectPublicKeyInfo; cached per KeyObject. */
const publicPointOf = (key: KeyObject): PublicPoint => {
  const cached = publicPoints.get(key);
  if (cached) return cached;
  const spki = assertKeyObject(key, 'public').export({ format: 'der', type: 'spki' });
  const prefix = SPKI_PREFIX.length - 1; // up to, not including, the 0x04 point marker
  if (
    spki.length !== prefix + 1 + 2 * COORDINATE_BYTES ||
    !spki.subarray(0, prefix + 1).equals(SPKI_PREFIX)
  ) {
    throw new Sm2KeyInvalidError('key is not a public key on the SM2 curve');
  }
  const point = pointFromUncompressed(spki.subarray(prefix));
  publicPoints.set(key, point);
  return point;
};

/** Reads a DER tag-length header at `offset`; returns the content bounds. */
const readDer = (der: Uint8Array, offset: number, tag: number): { start: number; end: number } => {
  if (der[offset] !== tag) throw new Sm2KeyInvalidError('key is not a private key on the SM2 curve');
  let length = der[offset + 1] ?? 0;
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + (der[start + i] ?? 0);
    start += octets;
  }
  if (start + length > der.length) throw new Sm2KeyInvalidError('truncated DER in SM2 private key');
  return { start, end: start + length };
};

/** The private scalar d (32 bytes) of a private SM2 KeyObject, read from its PKCS#8 encoding. */
const privateScalarOf = (key: KeyObject): Buffer => {
  const der = assertKeyObject(key, 'private').export({ format: 'der', type: 'pkcs8' });
  const info = readDer(der, 0, 0x30);
  const version = readDer(der, info.start, 0x02);
  const algorithm = readDer(der, version.end, 0x30);
  if (!der.subarray(version.end, algorithm.end).equals(SM2_ALGORITHM_IDENTIFIER)) {
    throw new Sm2KeyInvalidError('key is not a private key on the SM2 curve');
  }
  const wrapped = readDer(der, algorithm.end, 0x04);
  const ecPrivateKey = readDer(der, wrapped.start, 0x30);
  const ecVersion = readDer(der, ecPrivateKey.start, 0x02);
  const scalar = readDer(der, ecVersion.end, 0x04);
  const d = der.subarray(scalar.start, scalar.end);
  if (d.length > COORDINATE_BYTES) throw new Sm2KeyInvalidError('SM2 private scalar is too long');
  return Buffer.concat([Buffer.alloc(COORDINATE_BYTES - d.length), d]);
};

/** d·G computed by OpenSSL, uncompressed (0x04 || x || y). */
const publicPointBytesFor = (d: Uint8Array): Buffer => {
  const ecdh = createECDH('SM2');
  ecdh.setPrivateKey(d);
  return ecdh.getPublicKey();
};

/** The public point of an SM2 KeyObject of either type. */
const anyPublicPointOf = (key: unknown): PublicPoint => {
  if (key instanceof KeyObject && key.type === 'private') {
    return pointFromUncompressed(publicPointBytesFor(privateScalarOf(key)));
  }
  return publicPointOf(assertKeyObject(key, 'public'));
};

const readCoordinate = (jwk: Record<string, unknown>, member: 'x' | 'y' | 'd'): Buffer => {
  const value = jwk[member];
  const bytes = typeof value === 'string' ? fromBase64url(value) : undefined;
  if (!bytes || bytes.length !== COORDINATE_BYTES) {
    throw new Sm2KeyInvalidError(`JWK "${member}" must be ${COORDINATE_BYTES} bytes of unpadded base64url`);
  }
  return bytes;
};

const readPublicJwk = (jwk: unknown): { x: Buffer; y: Buffer; members: Record<string, unknown> } => {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new Sm2KeyInvalidError('JWK must be an object');
  }
  const members = jwk as Record<string, unknown>;
  if (members.kty !== 'EC' || members.crv !== 'SM2') {
    throw new Sm2KeyInvalidError('JWK must have kty "EC" and crv "SM2"');
  }
  if (members.alg !== undefined && members.alg !== SM2_JWS_ALG) {
    throw new Sm2KeyInvalidError(`JWK "alg" must be "${SM2_JWS_ALG}" when present`);
  }
  if (members.use !== undefined && members.use !== 'sig') {
    throw new Sm2KeyInvalidError('JWK "use" must be "sig" when present');
  }
  const x = readCoordinate(members, 'x');
  const y = readCoordinate(members, 'y');
  if (!isOnCurve(bytesToBigInt(x), bytesToBigInt(y))) {
    throw new Sm2KeyInvalidError('JWK point is not on the SM2 curve');
  }
  return { x, y, members };
};

/**
 * Imports a public SM2 JWK (`{ kty: 'EC', crv: 'SM2', x, y }`) as a KeyObject.
 *
 * Why by hand: Node's JWK import rejects `crv: "SM2"`, so the JWK is rebuilt as a SubjectPublicKeyInfo
 * (id-ecPublicKey, curve 1.2.156.10197.1.301) after checking that the point is on the curve.
 *
 * @throws {Sm2KeyInvalidError} malformed members, `alg`/`use` for another purpose, or a point off the curve.
 */
export const importSm2PublicJwk = (jwk: unknown): KeyObject => {
  const { x, y } = readPublicJwk(jwk);
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, x, y]), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new Sm2KeyInvalidError('Node rejected the SM2 public key', { cause });
  }
};

/**
 * Imports a private SM2 JWK (public members plus `d`) as a KeyObject.
 *
 * Why the extra checks: SM2 needs d in [1, n − 2] (1 + d must be invertible), and a JWK whose `x`/`y` do not
 * belong to `d` would sign under one identity (Z_A) and verify under another.
 *
 * @throws {Sm2KeyInvalidError} malformed members, d out of range, or d·G ≠ (x, y).
 */
export const importSm2PrivateJwk = (jwk: unknown): KeyObject => {
  const { x, y, members } = readPublicJwk(jwk);
  const d = readCoordinate(members, 'd');
  const scalar = bytesToBigInt(d);
  if (scalar < 1n || scalar > N - 2n) throw new Sm2KeyInvalidError('JWK "d" is out of range for SM2');
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: Buffer.concat([PKCS8_PREFIX, d, PKCS8_PUBLIC_PREFIX, x, y]),
      format: 'der',
      type: 'pkcs8',
    });
  } catch (cause) {
    throw new Sm2KeyInvalidError('Node rejected the SM2 private key', { cause });
  }
  if (!publicPointBytesFor(d).equals(Buffer.concat([Buffer.from([4]), x, y]))) {
    throw new Sm2KeyInvalidError('JWK "x"/"y" do not belong to "d"');
  }
  return key;
};

/**
 * Exports the public half of an SM2 KeyObject (public or private) as `{ kty: 'EC', crv: 'SM2', x, y }`.
 * Why: `KeyObject#export({ format: 'jwk' })` throws for SM2.
 */
export const exportSm2PublicJwk = (key: KeyObject): Sm2PublicJwk => {
  const { x, y } = anyPublicPointOf(key);
  return { kty: 'EC', crv: 'SM2', x: toBase64url(bigIntTo32Bytes(x)), y: toBase64url(bigIntTo32Bytes(y)) };
};

/** Exports a private SM2 KeyObject as a JWK with `d`; keep the result out of logs and responses. */
export const exportSm2PrivateJwk = (key: KeyObject): Sm2PrivateJwk => {
  const d = privateScalarOf(key);
  const { x, y } = pointFromUncompressed(publicPointBytesFor(d));
  const jwk = { x: toBase64url(bigIntTo32Bytes(x)), y: toBase64url(bigIntTo32Bytes(y)), d: toBase64url(d) };
  return { kty: 'EC', crv: 'SM2', ...jwk };
};

/**
 * Generates an SM2 key pair as JWKs (add `kid`, `alg`, `use` as the trust registry needs).
 * The rare scalar n − 1, valid for OpenSSL but not for SM2, is rejected and redrawn.
 */
export const generateSm2KeyPair = (): { publicJwk: Sm2PublicJwk; privateJwk: Sm2PrivateJwk } => {
  for (;;) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    if (bytesToBigInt(privateScalarOf(privateKey)) <= N - 2n) {
      const privateJwk = exportSm2PrivateJwk(privateKey);
      const { d: _d, ...publicJwk } = privateJwk;
      return { publicJwk, privateJwk };
    }
  }
};

// ---------------------------------------------------------------------------------------------------------
// Signatures

const digestFor = (data: Uint8Array, point: PublicPoint, userId: string | Uint8Array | undefined): Buffer => {
  const id = encodeUserId(userId);
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(id.length * 8);
  const za = createHash('sm3')
    .update(entl)
    .update(id)
    .update(bigIntTo32Bytes(A))
    .update(bigIntTo32Bytes(B))
    .update(bigIntTo32Bytes(GX))
    .update(bigIntTo32Bytes(GY))
    .update(bigIntTo32Bytes(point.x))
    .update(bigIntTo32Bytes(point.y))
    .digest();
  return createHash('sm3').update(za).update(data).digest();
};

/**
 * The SM2 message digest e = SM3(Z_A || M), with Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA)
 * (GB/T 32918.2 §5.5, §6.1). Why exported: this is what a digest-signing HSM or KMS signs, so a remote
 * signer can replace {@link signSm2} without changing what is signed.
 *
 * @param key the signer's public key, or its private key.
 */
export const sm2Digest = (data: Uint8Array, key: KeyObject, options: Sm2Options = {}): Uint8Array => {
  return new Uint8Array(digestFor(data, anyPublicPointOf(key), options.userId));
};

/**
 * Signs `data` with SM2 (GB/T 32918.2 §6.1): e = SM3(Z_A || M) with the default ID unless `userId` is given,
 * and returns the raw 64-byte r || s (big-endian, as in JWS ES256, not DER).
 *
 * @throws {Sm2KeyInvalidError} when `privateKey` is not a private SM2 KeyObject.
 */
export const signSm2 = (data: Uint8Array, privateKey: KeyObject, options: Sm2Options = {}): Uint8Array => {
  const dBytes = privateScalarOf(privateKey);
  const d = bytesToBigInt(dBytes);
  if (d < 1n || d > N - 2n) throw new Sm2KeyInvalidError('private scalar is out of range for SM2');
  const e = bytesToBigInt(
    digestFor(data, pointFromUncompressed(publicPointBytesFor(dBytes)), options.userId),
  );
  // (1 + d)⁻¹, blinded so the exponentiation never sees 1 + d itself.
  const blind = mod(bytesToBigInt(randomBytes(40)), N - 1n) + 1n;
  const inverse = mod(modInverse(mod((1n + d) * blind, N), N) * blind, N);
  for (;;) {
    const ecdh = createECDH('SM2');
    const kG = ecdh.generateKeys();
    const k = bytesToBigInt(ecdh.getPrivateKey());
    const x1 = bytesToBigInt(kG.subarray(1, 1 + COORDINATE_BYTES));
    const r = mod(e + x1, N);
    if (r === 0n || r + k === N) continue;
    const s = mod(inverse * (k - r * d), N);
    if (s === 0n) continue;
    return new Uint8Array(Buffer.concat([bigIntTo32Bytes(r), bigIntTo32Bytes(s)]));
  }
};

/**
 * Verifies a raw 64-byte r || s SM2 signature over `data` (GB/T 32918.2 §7.1). Returns `false` for any
 * signature that does not verify, including wrong lengths and out-of-range r or s.
 *
 * @throws {Sm2KeyInvalidError} when `publicKey` is not a public SM2 KeyObject.
 */
export const verifySm2 = (
  data: Uint8Array,
  signature: Uint8Array,
  publicKey: KeyObject,
  options: Sm2Options = {},
): boolean => {
  const point = publicPointOf(publicKey);
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  const r = bytesToBigInt(signature.subarray(0, COORDINATE_BYTES));
  const s = bytesToBigInt(signature.subarray(COORDINATE_BYTES));
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const t = mod(r + s, N);
  if (t === 0n) return false;
  const x1 = combinedMultiplyX(s, t, point.x, point.y);
  if (x1 === undefined) return false;
  const e = bytesToBigInt(digestFor(data, point, options.userId));
  return mod(e + x1, N) === r;
};

// ---------------------------------------------------------------------------------------------------------
// Compact JWS

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const rejectCrit = (header: Record<string, unknown>): void => {
  if (!('crit' in header)) return;
  const { crit } = header;
  if (!Array.isArray(crit) || crit.length === 0 || crit.some((name) => typeof name !== 'string')) {
    throw new Sm2JwsInvalidError('"crit" must be a non-empty array of strings');
  }
  throw new Sm2NotSupportedError(`extension header parameter "${String(crit[0])}" is not recognised`);
};

/**
 * Signs `payload` as a compact JWS with `alg: "SM2SM3"` and a raw r || s signature.
 * The header may carry `kid`, `typ`, `cty` and other parameters; `alg` is set here, `crit` is refused.
 *
 * @example
 * const jws = signCompactSm2(new TextEncoder().encode(JSON.stringify(licence)), { kid: 'sh-jt-2025' }, key);
 * @throws {Sm2JwsInvalidError} a header that is not a JSON object or names another `alg`.
 */
export const signCompactSm2 = (
  payload: Uint8Array,
  protectedHeader: Readonly<Record<string, unknown>>,
  privateKey: KeyObject,
  options: Sm2Options = {},
): string => {
  if (!(payload instanceof Uint8Array)) throw new Sm2JwsInvalidError('payload must be a Uint8Array');
  if (!isPlainObject(protectedHeader)) throw new Sm2JwsInvalidError('protected header must be an object');
  if (protectedHeader.alg !== undefined && protectedHeader.alg !== SM2_JWS_ALG) {
    throw new Sm2JwsInvalidError(`protected header "alg" must be "${SM2_JWS_ALG}" or absent`);
  }
  rejectCrit(protectedHeader);
  let headerJson: string;
  try {
    headerJson = JSON.stringify({ alg: SM2_JWS_ALG, ...protectedHeader });
  } catch (cause) {
    throw new Sm2JwsInvalidError('protected header is not serialisable as JSON', { cause });
  }
  const signingInput = `${toBase64url(Buffer.from(headerJson, 'utf8'))}.${toBase64url(payload)}`;
  const signature = signSm2(Buffer.from(signingInput, 'ascii'), privateKey, options);
  return `${signingInput}.${toBase64url(signature)}`;
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

const parseProtectedHeader = (segment: string): Sm2ProtectedHeader => {
  const bytes = fromBase64url(segment);
  if (!bytes || bytes.length === 0) throw new Sm2JwsInvalidError('protected header is not valid base64url');
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(bytes));
  } catch (cause) {
    throw new Sm2JwsInvalidError('protected header is not UTF-8 JSON', { cause });
  }
  if (!isPlainObject(header)) throw new Sm2JwsInvalidError('protected header must be a JSON object');
  if (typeof header.alg !== 'string')
    throw new Sm2JwsInvalidError('"alg" header parameter missing or invalid');
  if (header.alg !== SM2_JWS_ALG) {
    throw new Sm2AlgNotAllowedError(`"alg" (Algorithm) Header Parameter value not allowed: ${header.alg}`);
  }
  rejectCrit(header);
  return header as Sm2ProtectedHeader;
};

/**
 * Verifies a compact JWS signed with {@link SM2_JWS_ALG} and returns its payload and protected header.
 *
 * Why strict: tokens come from partners, so every segment must be canonical unpadded base64url, the
 * header a JSON object whose `alg` is exactly `SM2SM3`, and unknown `crit` extensions are refused. Any
 * input string ends in either a result or an {@link Sm2JwsError} (codes as in jose), never another error.
 *
 * @param options.userId the signer's distinguishing ID when it is not the GM/T 0009 default.
 * @throws {Sm2JwsInvalidError} malformed token or header.
 * @throws {Sm2AlgNotAllowedError} `alg` other than `SM2SM3`.
 * @throws {Sm2NotSupportedError} a `crit` extension.
 * @throws {Sm2SignatureVerificationFailedError} the signature does not verify under `publicKey`.
 * @throws {Sm2KeyInvalidError} `publicKey` is not a public SM2 KeyObject.
 */
export const verifyCompactSm2 = (
  jws: string,
  publicKey: KeyObject,
  options: Sm2Options = {},
): Sm2VerifyResult => {
  publicPointOf(publicKey);
  encodeUserId(options.userId);
  if (typeof jws !== 'string') throw new Sm2JwsInvalidError('JWS must be a string');
  const segments = jws.split('.');
  if (segments.length !== 3) throw new Sm2JwsInvalidError('compact JWS must have three segments');
  const [headerSegment = '', payloadSegment = '', signatureSegment = ''] = segments;
  const protectedHeader = parseProtectedHeader(headerSegment);
  const payload = fromBase64url(payloadSegment);
  if (!payload) throw new Sm2JwsInvalidError('payload is not valid base64url');
  const signature = fromBase64url(signatureSegment);
  if (!signature) throw new Sm2JwsInvalidError('signature is not valid base64url');
  const signingInput = Buffer.from(`${headerSegment}.${payloadSegment}`, 'ascii');
  if (!verifySm2(signingInput, signature, publicKey, options))
    throw new Sm2SignatureVerificationFailedError();
  return { payload: new Uint8Array(payload), protectedHeader };
};

import { Buffer } from 'node:buffer';
import { generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { decodeProtectedHeader, errors as joseErrors } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  exportSm2PrivateJwk,
  exportSm2PublicJwk,
  generateSm2KeyPair,
  importSm2PrivateJwk,
  importSm2PublicJwk,
  SM2_DEFAULT_USER_ID,
  SM2_JWS_ALG,
  Sm2AlgNotAllowedError,
  Sm2JwsError,
  Sm2JwsInvalidError,
  Sm2KeyInvalidError,
  Sm2NotSupportedError,
  type Sm2PrivateJwk,
  Sm2SignatureVerificationFailedError,
  signCompactSm2,
  signSm2,
  sm2Digest,
  verifyCompactSm2,
  verifySm2,
} from '#lib/crypto/sm2-jws.ts';

/** The part of sm-crypto (an independent, pure-JS SM2 implementation; test-only) that these tests use. */
interface SmCryptoSm2 {
  doSignature(
    message: number[],
    privateKeyHex: string,
    options: { hash: boolean; der: boolean; userId?: string; publicKey?: string },
  ): string;
  doVerifySignature(
    message: number[],
    signatureHex: string,
    publicKeyHex: string,
    options: { hash: boolean; der: boolean; userId?: string },
  ): boolean;
  generateKeyPairHex(): { privateKey: string; publicKey: string };
  getPublicKeyFromPrivateKey(privateKeyHex: string): string;
}
const { sm2: smCrypto } = createRequire(import.meta.url)('sm-crypto') as { sm2: SmCryptoSm2 };

const hex = (base64url: string): string => Buffer.from(base64url, 'base64url').toString('hex');
const b64u = (bytes: Uint8Array | string): string =>
  (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes)).toString('base64url');
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));
const toHex = (data: Uint8Array): string => Buffer.from(data).toString('hex');

/** sm-crypto key form: public '04' || x || y, private d, all hex. */
const toSmCryptoKeys = (jwk: Sm2PrivateJwk) => ({
  publicKey: `04${hex(jwk.x)}${hex(jwk.y)}`,
  privateKey: hex(jwk.d),
});
const fromSmCryptoKeys = (keys: { privateKey: string; publicKey: string }): Sm2PrivateJwk => ({
  kty: 'EC',
  crv: 'SM2',
  x: Buffer.from(keys.publicKey.slice(2, 66), 'hex').toString('base64url'),
  y: Buffer.from(keys.publicKey.slice(66, 130), 'hex').toString('base64url'),
  d: Buffer.from(keys.privateKey.padStart(64, '0'), 'hex').toString('base64url'),
});

/** DER SEQUENCE { INTEGER r, INTEGER s } ⇄ raw r || s, for OpenSSL, which speaks DER. */
const derToRaw = (der: Uint8Array): Uint8Array => {
  const raw = new Uint8Array(64);
  let offset = 2;
  for (const half of [0, 32]) {
    expect(der[offset]).toBe(0x02);
    const length = der[offset + 1] ?? 0;
    let integer = der.subarray(offset + 2, offset + 2 + length);
    while (integer.length > 32 && integer[0] === 0) integer = integer.subarray(1);
    raw.set(integer, half + 32 - integer.length);
    offset += 2 + length;
  }
  return raw;
};
const rawToDer = (raw: Uint8Array): Buffer => {
  const integer = (part: Uint8Array): Buffer => {
    let start = 0;
    while (start < part.length - 1 && part[start] === 0) start++;
    const body = Buffer.from(part.subarray(start));
    const padded = (body[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : body;
    return Buffer.concat([Buffer.from([0x02, padded.length]), padded]);
  };
  const content = Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, content.length]), content]);
};

const expectSm2Error = (action: () => unknown, code: string): void => {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(Sm2JwsError);
  expect((caught as Sm2JwsError).code).toBe(code);
};

const { publicJwk, privateJwk } = generateSm2KeyPair();
const publicKey = importSm2PublicJwk(publicJwk);
const privateKey = importSm2PrivateJwk(privateJwk);
const other = generateSm2KeyPair();
const otherPublicKey = importSm2PublicJwk(other.publicJwk);

/** n − 1 of the SM2 curve and the matching point −G = (xG, p − yG). */
const N_MINUS_1 = 'fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54122';
const NEG_G = {
  x: '32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7',
  y: '43c8c95c0b098863a642311c9496deac2f56788239d5b8c0fd20cd1adec60f5f',
};

describe('SM2 JWK import and export', () => {
  it('round-trips public and private JWKs through KeyObjects', () => {
    expect(exportSm2PublicJwk(publicKey)).toEqual(publicJwk);
    expect(exportSm2PrivateJwk(privateKey)).toEqual(privateJwk);
    expect(exportSm2PublicJwk(privateKey)).toEqual(publicJwk);
  });

  it('generates 32-byte coordinates in the documented JWK form', () => {
    expect(publicJwk).toEqual({ kty: 'EC', crv: 'SM2', x: expect.any(String), y: expect.any(String) });
    for (const member of [privateJwk.x, privateJwk.y, privateJwk.d]) {
      expect(Buffer.from(member, 'base64url')).toHaveLength(32);
    }
  });

  it('accepts kid, alg SM2SM3 and use sig', () => {
    const key = importSm2PublicJwk({ ...publicJwk, kid: 'sh-jt-1', alg: SM2_JWS_ALG, use: 'sig' });
    expect(exportSm2PublicJwk(key)).toEqual(publicJwk);
  });

  it('accepts the boundary scalar n − 2 but rejects n − 1, which SM2 forbids', () => {
    const minusG = {
      kty: 'EC',
      crv: 'SM2',
      x: b64u(Buffer.from(NEG_G.x, 'hex')),
      y: b64u(Buffer.from(NEG_G.y, 'hex')),
    };
    expect(exportSm2PublicJwk(importSm2PublicJwk(minusG))).toEqual(minusG);
    expectSm2Error(
      () => importSm2PrivateJwk({ ...minusG, d: b64u(Buffer.from(N_MINUS_1, 'hex')) }),
      'ERR_JWK_INVALID',
    );
  });

  it.each([
    ['a non-object', null],
    ['an array', [publicJwk]],
    ['kty OKP', { ...publicJwk, kty: 'OKP' }],
    ['crv P-256', { ...publicJwk, crv: 'P-256' }],
    ['a 31-byte x', { ...publicJwk, x: b64u(new Uint8Array(31)) }],
    ['a padded y', { ...publicJwk, y: `${publicJwk.y}=` }],
    ['standard base64 characters', { ...publicJwk, x: publicJwk.x.replace(/.$/, '+') }],
    ['a point off the curve', { ...publicJwk, x: b64u(new Uint8Array(32)), y: b64u(new Uint8Array(32)) }],
    ['an alg for another algorithm', { ...publicJwk, alg: 'ES256' }],
    ['use enc', { ...publicJwk, use: 'enc' }],
  ])('rejects a public JWK with %s', (_label, jwk) => {
    expectSm2Error(() => importSm2PublicJwk(jwk), 'ERR_JWK_INVALID');
  });

  it('rejects a non-canonical coordinate (spare bits set in the last base64url character)', () => {
    const last = publicJwk.x.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const nonCanonical = `${publicJwk.x.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}`;
    expect(Buffer.from(nonCanonical, 'base64url').toString('base64url')).not.toBe(nonCanonical);
    expectSm2Error(() => importSm2PublicJwk({ ...publicJwk, x: nonCanonical }), 'ERR_JWK_INVALID');
  });

  it.each([
    ['no d', { ...publicJwk }],
    ['d = 0', { ...privateJwk, d: b64u(new Uint8Array(32)) }],
    ['x/y of another key', { ...other.publicJwk, d: privateJwk.d }],
  ])('rejects a private JWK with %s', (_label, jwk) => {
    expectSm2Error(() => importSm2PrivateJwk(jwk), 'ERR_JWK_INVALID');
  });

  it('refuses KeyObjects that are not SM2 keys of the expected type', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ed25519 = generateKeyPairSync('ed25519');
    expectSm2Error(() => verifySm2(bytes('x'), new Uint8Array(64), p256.publicKey), 'ERR_JWK_INVALID');
    expectSm2Error(() => verifySm2(bytes('x'), new Uint8Array(64), ed25519.publicKey), 'ERR_JWK_INVALID');
    expectSm2Error(() => signSm2(bytes('x'), p256.privateKey), 'ERR_JWK_INVALID');
    expectSm2Error(() => signSm2(bytes('x'), publicKey), 'ERR_JWK_INVALID');
    expectSm2Error(() => verifySm2(bytes('x'), new Uint8Array(64), privateKey), 'ERR_JWK_INVALID');
    expectSm2Error(() => verifyCompactSm2('a.b.c', privateKey), 'ERR_JWK_INVALID');
    expectSm2Error(() => exportSm2PublicJwk('not a key' as unknown as KeyObject), 'ERR_JWK_INVALID');
  });
});

describe('SM2 signatures', () => {
  const message = bytes('1.2.156.3005.2.11100000000019713D008.11310000002435681K.310115000001.001.S');

  it('signs as raw 64-byte r || s and verifies', () => {
    const signature = signSm2(message, privateKey);
    expect(signature).toBeInstanceOf(Uint8Array);
    expect(signature).toHaveLength(64);
    expect(verifySm2(message, signature, publicKey)).toBe(true);
  });

  it('uses a fresh k per signature (two signatures differ, both verify)', () => {
    const first = signSm2(message, privateKey);
    const second = signSm2(message, privateKey);
    expect(toHex(first)).not.toBe(toHex(second));
    expect(verifySm2(message, second, publicKey)).toBe(true);
  });

  it('fails for a changed message, a flipped signature bit, another key or another user ID', () => {
    const signature = signSm2(message, privateKey);
    const changed = Uint8Array.from(message);
    changed[0] = (changed[0] ?? 0) ^ 1;
    expect(verifySm2(changed, signature, publicKey)).toBe(false);
    for (const bit of [0, 255, 256, 511]) {
      const flipped = Uint8Array.from(signature);
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7));
      expect(verifySm2(message, flipped, publicKey)).toBe(false);
    }
    expect(verifySm2(message, signature, otherPublicKey)).toBe(false);
    expect(verifySm2(message, signature, publicKey, { userId: 'ALICE123@YAHOO.COM' })).toBe(false);
  });

  it('rejects signatures of the wrong length or with r, s outside [1, n − 1]', () => {
    const signature = signSm2(message, privateKey);
    const n = Buffer.from(`${N_MINUS_1.slice(0, -1)}3`, 'hex');
    const s = signature.subarray(32);
    for (const candidate of [
      new Uint8Array(0),
      signature.subarray(0, 63),
      Uint8Array.from([...signature, 0]),
      new Uint8Array(64),
      Uint8Array.from([...new Uint8Array(32), ...s]),
      Uint8Array.from([...n, ...s]),
      new Uint8Array(64).fill(0xff),
    ]) {
      expect(verifySm2(message, candidate, publicKey)).toBe(false);
    }
  });

  it('supports an agreed user ID other than the default, and refuses IDs too long for ENTL', () => {
    const signature = signSm2(message, privateKey, { userId: 'ALICE123@YAHOO.COM' });
    expect(verifySm2(message, signature, publicKey, { userId: bytes('ALICE123@YAHOO.COM') })).toBe(true);
    expect(verifySm2(message, signature, publicKey)).toBe(false);
    expectSm2Error(
      () => signSm2(message, privateKey, { userId: 'x'.repeat(8192) }),
      'ERR_JOSE_NOT_SUPPORTED',
    );
  });

  it('documents why this module exists: Node signs SM2-curve EC keys with plain ECDSA, not SM2', () => {
    const node = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const ecdsa = sign('sm3', message, { key: node.privateKey, dsaEncoding: 'ieee-p1363' });
    expect(verify('sm3', message, { key: node.publicKey, dsaEncoding: 'ieee-p1363' }, ecdsa)).toBe(true);
    expect(verifySm2(message, ecdsa, node.publicKey)).toBe(false);
    expect(verifySm2(message, ecdsa, node.publicKey, { userId: '' })).toBe(false);
  });
});

describe('SM2 interoperability with sm-crypto (independent implementation, default user ID)', () => {
  const smKeys = toSmCryptoKeys(privateJwk);
  const smOptions = { hash: true, der: false } as const;

  it('converts keys between formats: sm-crypto derives our public key from our d, and vice versa', () => {
    expect(smCrypto.getPublicKeyFromPrivateKey(smKeys.privateKey)).toBe(smKeys.publicKey);
    const theirs = smCrypto.generateKeyPairHex();
    const jwk = fromSmCryptoKeys(theirs);
    expect(exportSm2PublicJwk(importSm2PrivateJwk(jwk))).toEqual({
      kty: 'EC',
      crv: 'SM2',
      x: jwk.x,
      y: jwk.y,
    });
  });

  it('an sm-crypto signature (default user id, hash: true, der: false) verifies with verifySm2', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (message) => {
        const signature = smCrypto.doSignature(Array.from(message), smKeys.privateKey, smOptions);
        expect(verifySm2(message, Buffer.from(signature, 'hex'), publicKey)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('a signSm2 signature verifies with sm-crypto (default user id, hash: true, der: false)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (message) => {
        const signature = toHex(signSm2(message, privateKey));
        expect(smCrypto.doVerifySignature(Array.from(message), signature, smKeys.publicKey, smOptions)).toBe(
          true,
        );
      }),
      { numRuns: 25 },
    );
  });

  it('works both ways with a key pair generated by sm-crypto', () => {
    const theirs = smCrypto.generateKeyPairHex();
    const jwk = fromSmCryptoKeys(theirs);
    const message = bytes('沪交运管许可浦字310115000001号');
    const theirSignature = smCrypto.doSignature(Array.from(message), theirs.privateKey, smOptions);
    expect(verifySm2(message, Buffer.from(theirSignature, 'hex'), importSm2PublicJwk(jwk))).toBe(true);
    const ourSignature = toHex(signSm2(message, importSm2PrivateJwk(jwk)));
    expect(smCrypto.doVerifySignature(Array.from(message), ourSignature, theirs.publicKey, smOptions)).toBe(
      true,
    );
  });

  it('hashes Z_A with the default ID "1234567812345678", not an empty ID', () => {
    const message = bytes('Z_A');
    const ours = toHex(signSm2(message, privateKey));
    expect(
      smCrypto.doVerifySignature(Array.from(message), ours, smKeys.publicKey, { ...smOptions, userId: '' }),
    ).toBe(false);
    const emptyId = smCrypto.doSignature(Array.from(message), smKeys.privateKey, {
      ...smOptions,
      userId: '',
    });
    expect(verifySm2(message, Buffer.from(emptyId, 'hex'), publicKey)).toBe(false);
    expect(verifySm2(message, Buffer.from(emptyId, 'hex'), publicKey, { userId: '' })).toBe(true);
    expect(SM2_DEFAULT_USER_ID).toBe('1234567812345678');
  });

  it('matches sm-crypto for a non-default user ID', () => {
    const message = bytes('message digest');
    const options = { ...smOptions, userId: 'ALICE123@YAHOO.COM' };
    const theirs = smCrypto.doSignature(Array.from(message), smKeys.privateKey, options);
    expect(verifySm2(message, Buffer.from(theirs, 'hex'), publicKey, { userId: 'ALICE123@YAHOO.COM' })).toBe(
      true,
    );
    const ours = toHex(signSm2(message, privateKey, { userId: 'ALICE123@YAHOO.COM' }));
    expect(smCrypto.doVerifySignature(Array.from(message), ours, smKeys.publicKey, options)).toBe(true);
  });

  it('sm2Digest is the e a digest signer (HSM/KMS) signs: sm-crypto with hash: false over it verifies', () => {
    const message = bytes('{"licenceNo":"310115000123"}');
    const e = sm2Digest(message, publicKey);
    expect(toHex(sm2Digest(message, privateKey))).toBe(toHex(e));
    const signature = smCrypto.doSignature(Array.from(e), smKeys.privateKey, { hash: false, der: false });
    expect(verifySm2(message, Buffer.from(signature, 'hex'), publicKey)).toBe(true);
  });
});

describe('SM2 interoperability with OpenSSL and fibjs (empty user ID)', () => {
  const message = bytes('OpenSSL SM2');

  it("interoperates with OpenSSL's own SM2 signer, which Node uses for DER-imported keys with an empty ID", () => {
    // importSm2*Jwk builds DER, which OpenSSL 3.0 decodes as an SM2 key (Node reports no key type). Node's
    // sign() then runs OpenSSL's real SM2 (DER output) with an empty distinguishing ID, not GM/T 0009's
    // default. If this starts to fail after a Node/OpenSSL upgrade, update the module TSDoc accordingly.
    expect(privateKey.asymmetricKeyType).toBeUndefined();
    const openssl = derToRaw(sign(null, message, privateKey));
    const verifyingIds = [SM2_DEFAULT_USER_ID, ''].filter((userId) =>
      verifySm2(message, openssl, publicKey, { userId }),
    );
    expect(verifyingIds).toEqual(['']);
    expect(verify(null, message, publicKey, rawToDer(signSm2(message, privateKey, { userId: '' })))).toBe(
      true,
    );
    expect(verify(null, message, publicKey, rawToDer(signSm2(message, privateKey)))).toBe(false);
  });

  // Published SM2SM3 JWS test vectors of fibjs's `jws` module (key and three tokens over {"age":21}).
  const fibjsJwk = {
    kty: 'EC',
    crv: 'SM2',
    x: 'Na1B7soopNRgyrVnvCxwi-7Ru0nq5HORSLM2tquM7qQ',
    y: 'zmOTuaAha3Kuoo2UE0_edqQsvMe7jVJvA0cCjaTl7Tc',
    d: 'SdOvpH5DJ97dnA3UInQfwe6MK9nnaIQUb35cOFCNNRY',
  };
  const fibjsTokens = [
    'eyJhbGciOiJTTTJTTTMiLCJjdHkiOiJKV1QifQ.eyJhZ2UiOjIxfQ.K0hN53oMxZptFIVaNmb7U_2Z6B4osY7ku23gcE-ynVEi3k6h9TQ-onH3QOuULB2TLfnHiKWd7o4jDfjFLGfFfQ',
    'eyJhbGciOiJTTTJTTTMiLCJjdHkiOiJKV1QifQ.eyJhZ2UiOjIxfQ.i7K40oqnBFZbBaWHyjpl652Hcp2dQhZtWR21oVF-6xzsoTyES3p44fyacVcTMxtOM67J01giKcMKL8fQWDyN6Q',
    'eyJhbGciOiJTTTJTTTMiLCJjdHkiOiJKV1QifQ.eyJhZ2UiOjIxfQ.JzGXEcph3eFsY2jWI6j5V2ip9eY9UGjjqWNJA2OvijkcfrcomYaNmi5j_BM-le4LpZRB-od83kl5Yx0zmSf8Jg',
  ];

  it('imports the fibjs key pair (its d matches its x, y)', () => {
    const { d: _d, ...fibjsPublic } = fibjsJwk;
    expect(exportSm2PublicJwk(importSm2PrivateJwk(fibjsJwk))).toEqual(fibjsPublic);
  });

  it.each(fibjsTokens)(
    'verifies fibjs SM2SM3 token %# with userId "" and refuses it with the default ID',
    (token) => {
      const fibjsKey = importSm2PublicJwk({ kty: 'EC', crv: 'SM2', x: fibjsJwk.x, y: fibjsJwk.y });
      const { payload, protectedHeader } = verifyCompactSm2(token, fibjsKey, { userId: '' });
      expect(JSON.parse(Buffer.from(payload).toString('utf8'))).toEqual({ age: 21 });
      expect(protectedHeader).toEqual({ alg: 'SM2SM3', cty: 'JWT' });
      expectSm2Error(() => verifyCompactSm2(token, fibjsKey), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    },
  );
});

describe('SM2 compact JWS', () => {
  const payload = bytes('{"licenceNo":"310115000123","status":"10"}');
  const token = signCompactSm2(payload, { kid: 'sh-jt-1', typ: 'JWT' }, privateKey);
  const [header = '', body = '', signature = ''] = token.split('.');

  /** A token over an arbitrary header, correctly signed with our key. */
  const signedWithHeader = (headerJson: string, payloadSegment = body): string => {
    const input = `${b64u(headerJson)}.${payloadSegment}`;
    return `${input}.${b64u(signSm2(Buffer.from(input, 'ascii'), privateKey))}`;
  };

  it('round-trips payload and protected header', () => {
    const result = verifyCompactSm2(token, publicKey);
    expect(result.payload).toEqual(payload);
    expect(result.protectedHeader).toEqual({ alg: 'SM2SM3', kid: 'sh-jt-1', typ: 'JWT' });
  });

  it('produces a standard compact serialization that jose parses', () => {
    expect(token.split('.')).toHaveLength(3);
    expect(decodeProtectedHeader(token)).toEqual({ alg: SM2_JWS_ALG, kid: 'sh-jt-1', typ: 'JWT' });
    expect(Buffer.from(signature, 'base64url')).toHaveLength(64);
  });

  it('uses the error codes of jose, so callers branch on err.code uniformly', () => {
    expect(Sm2JwsInvalidError.code).toBe(joseErrors.JWSInvalid.code);
    expect(Sm2SignatureVerificationFailedError.code).toBe(joseErrors.JWSSignatureVerificationFailed.code);
    expect(Sm2AlgNotAllowedError.code).toBe(joseErrors.JOSEAlgNotAllowed.code);
    expect(Sm2NotSupportedError.code).toBe(joseErrors.JOSENotSupported.code);
    expect(Sm2KeyInvalidError.code).toBe(joseErrors.JWKInvalid.code);
    const error = new Sm2SignatureVerificationFailedError(undefined, { cause: 'x' });
    expect(error).toMatchObject({ name: 'Sm2SignatureVerificationFailedError', cause: 'x' });
  });

  it('signs with an explicit alg SM2SM3 and refuses another alg or crit', () => {
    expect(
      verifyCompactSm2(signCompactSm2(payload, { alg: 'SM2SM3' }, privateKey), publicKey).payload,
    ).toEqual(payload);
    expectSm2Error(() => signCompactSm2(payload, { alg: 'ES256' }, privateKey), 'ERR_JWS_INVALID');
    expectSm2Error(
      () => signCompactSm2(payload, { crit: ['b64'], b64: false }, privateKey),
      'ERR_JOSE_NOT_SUPPORTED',
    );
    expectSm2Error(() => signCompactSm2(payload, { n: 1n }, privateKey), 'ERR_JWS_INVALID');
  });

  it.each([
    ['payload', () => `${header}.${b64u('{"licenceNo":"310115000124","status":"10"}')}.${signature}`],
    ['header', () => `${b64u('{"alg":"SM2SM3","kid":"other"}')}.${body}.${signature}`],
    ['signature', () => `${header}.${body}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`],
  ])('rejects a tampered %s', (_part, tampered) => {
    expectSm2Error(() => verifyCompactSm2(tampered(), publicKey), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('rejects the right token under another key', () => {
    expectSm2Error(() => verifyCompactSm2(token, otherPublicKey), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('rejects a signature of the wrong length', () => {
    const short = `${header}.${body}.${b64u(Buffer.from(signature, 'base64url').subarray(0, 63))}`;
    expectSm2Error(() => verifyCompactSm2(short, publicKey), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it.each([
    ['ES256', '{"alg":"ES256"}'],
    ['none', '{"alg":"none"}'],
    ['sm2sm3 (case matters)', '{"alg":"sm2sm3"}'],
    ['SM2', '{"alg":"SM2"}'],
  ])('refuses alg %s even when the SM2 signature is valid', (_alg, headerJson) => {
    expectSm2Error(
      () => verifyCompactSm2(signedWithHeader(headerJson), publicKey),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
  });

  it.each([
    ['missing alg', '{"kid":"k"}', 'ERR_JWS_INVALID'],
    ['non-string alg', '{"alg":["SM2SM3"]}', 'ERR_JWS_INVALID'],
    ['a JSON array', '["SM2SM3"]', 'ERR_JWS_INVALID'],
    ['not JSON', 'alg=SM2SM3', 'ERR_JWS_INVALID'],
    ['an empty crit', '{"alg":"SM2SM3","crit":[]}', 'ERR_JWS_INVALID'],
    ['an unknown crit', '{"alg":"SM2SM3","crit":["exp"],"exp":1}', 'ERR_JOSE_NOT_SUPPORTED'],
  ])('rejects a correctly signed header with %s', (_label, headerJson, code) => {
    expectSm2Error(() => verifyCompactSm2(signedWithHeader(headerJson), publicKey), code);
  });

  it.each([
    ['two segments', () => `${header}.${body}`],
    ['four segments', () => `${token}.x`],
    ['an empty header', () => `.${body}.${signature}`],
    ['a padded segment', () => `${header}.${body}=.${signature}`],
    ['a standard-base64 character', () => `${header}.${body}.${signature.slice(0, -1)}+`],
    [
      'invalid UTF-8 in the header',
      () => `${b64u(Uint8Array.from([0x7b, 0xff, 0x7d]))}.${body}.${signature}`,
    ],
    ['JWS JSON serialization', () => JSON.stringify({ protected: header, payload: body, signature })],
  ])('rejects a token with %s as ERR_JWS_INVALID', (_label, malformed) => {
    expectSm2Error(() => verifyCompactSm2(malformed(), publicKey), 'ERR_JWS_INVALID');
  });

  it('rejects non-string input with the typed error', () => {
    for (const input of [undefined, null, 42, {}, Buffer.from(token)]) {
      expectSm2Error(() => verifyCompactSm2(input as unknown as string, publicKey), 'ERR_JWS_INVALID');
    }
  });

  describe('fuzzing: no input string escapes as anything but Sm2JwsError', () => {
    const outcome = (input: string): 'valid' | Sm2JwsError => {
      try {
        verifyCompactSm2(input, publicKey);
        return 'valid';
      } catch (error) {
        if (error instanceof Sm2JwsError) return error;
        throw error;
      }
    };

    it('random strings', () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[\w.=-]*$/)),
          (input) => {
            expect(outcome(input)).toBeInstanceOf(Sm2JwsError);
          },
        ),
        { numRuns: 1000 },
      );
    });

    it('random segments that look like a JWS', () => {
      const segment = fc.oneof(
        fc.uint8Array({ maxLength: 80 }).map(b64u),
        fc.jsonValue().map((value) => b64u(JSON.stringify(value) ?? '')),
        fc
          .dictionary(fc.constantFrom('alg', 'crit', 'kid', 'b64'), fc.jsonValue())
          .map((h) => b64u(JSON.stringify(h))),
        fc.constant(header),
        fc.constant(body),
        fc.constant(signature),
        fc.string(),
      );
      fc.assert(
        fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
          const input = segments.join('.');
          const result = outcome(input);
          if (result === 'valid') expect(input).toBe(token);
          else expect(result).toBeInstanceOf(Sm2JwsError);
        }),
        { numRuns: 500 },
      );
    });

    it('mutations of a valid token', () => {
      const mutation = fc.record({
        kind: fc.constantFrom('replace', 'insert', 'delete', 'truncate'),
        at: fc.nat(),
        char: fc.oneof(
          fc.constantFrom(...'AB_-.=+/ 0z'),
          fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
        ),
      });
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
          let input = token;
          for (const { kind, at, char } of mutations) {
            const i = at % (input.length + 1);
            if (kind === 'replace') input = input.slice(0, i) + char + input.slice(i + 1);
            else if (kind === 'insert') input = input.slice(0, i) + char + input.slice(i);
            else if (kind === 'delete') input = input.slice(0, i) + input.slice(i + 1);
            else input = input.slice(0, i);
          }
          const result = outcome(input);
          if (result === 'valid') expect(input).toBe(token);
          else expect(result).toBeInstanceOf(Sm2JwsError);
        }),
        { numRuns: 500 },
      );
    });
  });
});

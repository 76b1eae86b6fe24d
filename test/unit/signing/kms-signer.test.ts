import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derToJoseEcdsa } from '#lib/signing/kms-signer.ts';

describe('derToJoseEcdsa', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKey = createPublicKey(privateKey);

  it('turns DER signatures (as KMS returns them) into r||s that verifies as IEEE P1363', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (message) => {
        const der = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
        const jose = derToJoseEcdsa(der, 32);
        expect(jose).toHaveLength(64);
        expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('pads short integers and strips the sign byte', () => {
    // r = 0x01 (one byte), s = 0x00 0x80 … (sign byte + 32 bytes)
    const s = [0x80, ...new Array(31).fill(0x11)];
    const der = Uint8Array.from([0x30, 3 + 2 + 33, 0x02, 0x01, 0x01, 0x02, 33, 0x00, ...s]);
    const jose = derToJoseEcdsa(der, 32);
    expect(jose[31]).toBe(1);
    expect(Array.from(jose.subarray(0, 31)).every((byte) => byte === 0)).toBe(true);
    expect(Array.from(jose.subarray(32))).toEqual(s);
  });

  it.each([
    ['empty', []],
    ['not a sequence', [0x31, 0x00]],
    ['truncated', [0x30, 0x06, 0x02, 0x01, 0x01]],
    ['integer too long', [0x30, 0x26, 0x02, 0x22, ...new Array(34).fill(0x7f), 0x02, 0x00]],
  ])('refuses malformed DER: %s', (_case, bytes) => {
    expect(() => derToJoseEcdsa(Uint8Array.from(bytes as number[]), 32)).toThrow('malformed DER');
  });
});

import { Buffer } from 'node:buffer';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateIndex,
  STATUS_LIST_MAX_BITS,
  STATUS_LIST_MIN_BITS,
  StatusBitstring,
  StatusListError,
} from '#lib/credentials/status-list.ts';

/** The all-clear 16 KiB list used in the W3C Bitstring Status List v1.0 examples. */
const W3C_EXAMPLE_ENCODED_LIST = 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA';

const encodeBytes = (bytes: Uint8Array): string => `u${gzipSync(bytes).toString('base64url')}`;
const decodeToBytes = (encoded: string): Buffer => gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));

const expectStatusListError = (action: () => unknown, code: string): void => {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StatusListError);
  expect((caught as StatusListError).code).toBe(code);
};

/** Deterministic uniform source in [0, 1) for reproducible allocation tests. */
const seeded = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
};

describe('StatusBitstring', () => {
  it('starts with 131 072 clear bits and encodes exactly like the W3C example list', () => {
    const list = StatusBitstring.create();
    expect(list.length).toBe(STATUS_LIST_MIN_BITS);
    expect(list.get(0)).toBe(false);
    expect(list.get(STATUS_LIST_MIN_BITS - 1)).toBe(false);
    expect(list.encode()).toBe(W3C_EXAMPLE_ENCODED_LIST);
  });

  it('decodes the W3C example list', () => {
    const list = StatusBitstring.decode(W3C_EXAMPLE_ENCODED_LIST);
    expect(list.length).toBe(131_072);
    expect(list.get(94_567)).toBe(false);
  });

  it('stores index 0 in the most significant bit of byte 0 (hand-computed bytes)', () => {
    const list = StatusBitstring.create();
    list.set(0, true);
    list.set(9, true);
    list.set(23, true);
    list.set(STATUS_LIST_MIN_BITS - 1, true);
    const encoded = list.encode();
    expect(encoded.startsWith('u')).toBe(true);
    const raw = decodeToBytes(encoded);
    expect(raw).toHaveLength(16_384);
    expect([...raw.subarray(0, 4)]).toEqual([0b1000_0000, 0b0100_0000, 0b0000_0001, 0]);
    expect(raw[16_383]).toBe(0b0000_0001);
    expect(raw.subarray(4, 16_383).every((byte) => byte === 0)).toBe(true);
  });

  it('reads bits MSB-first from a hand-built list', () => {
    const raw = new Uint8Array(16_384);
    raw[2] = 0b0010_0001; // indices 18 and 23
    const list = StatusBitstring.decode(encodeBytes(raw));
    const set = Array.from({ length: 32 }, (_, index) => index).filter((index) => list.get(index));
    expect(set).toEqual([18, 23]);
  });

  it('clears a bit again without touching its neighbours', () => {
    const list = StatusBitstring.create();
    for (const index of [7, 8, 9]) list.set(index, true);
    list.set(8, false);
    expect([list.get(7), list.get(8), list.get(9)]).toEqual([true, false, true]);
  });

  it('round-trips any set of indices through encode and decode', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: STATUS_LIST_MIN_BITS * 2 - 1 }), { maxLength: 200 }),
        (indices) => {
          const list = StatusBitstring.create(STATUS_LIST_MIN_BITS * 2);
          for (const index of indices) list.set(index, true);
          const decoded = StatusBitstring.decode(list.encode());
          expect(decoded.length).toBe(STATUS_LIST_MIN_BITS * 2);
          for (const index of indices) expect(decoded.get(index)).toBe(true);
          const setBits = decodeToBytes(list.encode()).reduce((sum, byte) => sum + popcount(byte), 0);
          expect(setBits).toBe(indices.length);
        },
      ),
      { numRuns: 50 },
    );
  });

  it.each([
    ['negative', -1],
    ['past the end', STATUS_LIST_MIN_BITS],
    ['fractional', 1.5],
    ['NaN', Number.NaN],
  ])('refuses a %s index', (_label, index) => {
    const list = StatusBitstring.create();
    expectStatusListError(() => list.get(index), 'ERR_STATUS_LIST_INDEX');
    expectStatusListError(() => list.set(index, true), 'ERR_STATUS_LIST_INDEX');
  });

  it.each([
    ['below the W3C minimum', STATUS_LIST_MIN_BITS - 8],
    ['not whole bytes', STATUS_LIST_MIN_BITS + 1],
    ['above the cap', STATUS_LIST_MAX_BITS + 8],
  ])('refuses to create a list %s', (_label, bits) => {
    expectStatusListError(() => StatusBitstring.create(bits), 'ERR_STATUS_LIST_LENGTH');
  });
});

describe('StatusBitstring.decode rejects malformed input', () => {
  const valid = StatusBitstring.create().encode();

  it.each([
    ['an empty string', ''],
    ['no multibase prefix', valid.slice(1)],
    ['base58btc prefix', `z${valid.slice(1)}`],
    ['padding', `${valid}=`],
    ['standard base64 characters', `u${gzipSync(new Uint8Array(16_384)).toString('base64')}`],
    ['zlib instead of gzip', `u${Buffer.from('789c030000000001', 'hex').toString('base64url')}`],
    ['a truncated gzip stream', valid.slice(0, -4)],
    [
      'trailing garbage',
      `u${Buffer.concat([decodeBase64url(valid), Buffer.from('xx')]).toString('base64url')}`,
    ],
    ['plain text', 'uaGVsbG8'],
  ])('%s → ERR_STATUS_LIST_MALFORMED', (_label, encoded) => {
    expectStatusListError(() => StatusBitstring.decode(encoded), 'ERR_STATUS_LIST_MALFORMED');
  });

  it('rejects a non-canonical encoding (spare bits set)', () => {
    const list = StatusBitstring.create();
    // A GZIP length that is not a multiple of 3 leaves spare bits in the last base64url character.
    for (let index = 0; decodeBase64url(list.encode()).length % 3 === 0; index++) list.set(index, true);
    const text = list.encode().slice(1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = text.at(-1) ?? 'A';
    const tweaked = `u${text.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}`;
    expect(Buffer.from(tweaked.slice(1), 'base64url').toString('base64url')).not.toBe(tweaked.slice(1));
    expectStatusListError(() => StatusBitstring.decode(tweaked), 'ERR_STATUS_LIST_MALFORMED');
  });

  it('rejects a bitstring shorter than 131 072 bits (herd privacy)', () => {
    expectStatusListError(
      () => StatusBitstring.decode(encodeBytes(new Uint8Array(16_383))),
      'ERR_STATUS_LIST_LENGTH',
    );
    expectStatusListError(
      () => StatusBitstring.decode(encodeBytes(new Uint8Array(0))),
      'ERR_STATUS_LIST_LENGTH',
    );
  });

  it('stops a decompression bomb at the cap', () => {
    const bomb = encodeBytes(new Uint8Array(STATUS_LIST_MAX_BITS / 8 + 1));
    expect(bomb.length).toBeLessThan(40_000);
    let caught: unknown;
    try {
      StatusBitstring.decode(bomb);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'ERR_STATUS_LIST_LENGTH', cause: expect.any(RangeError) });
  });

  it('turns non-string input into the typed error', () => {
    for (const input of [undefined, null, 42, { encodedList: valid }]) {
      expectStatusListError(
        () => StatusBitstring.decode(input as unknown as string),
        'ERR_STATUS_LIST_MALFORMED',
      );
    }
  });

  it('fuzz: random strings and random base64url never escape as anything but StatusListError', () => {
    const input = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.stringMatching(/^u[\w-]*$/),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => `u${Buffer.from(bytes).toString('base64url')}`),
      fc.uint8Array({ maxLength: 20_000 }).map((bytes) => encodeBytes(bytes)),
    );
    fc.assert(
      fc.property(input, (encoded) => {
        expect(() => StatusBitstring.decode(encoded)).toThrow(StatusListError);
      }),
      { numRuns: 500 },
    );
  });

  it('fuzz: a mutated valid list either decodes to a valid-length list or fails with StatusListError', () => {
    const list = StatusBitstring.create();
    list.set(42, true);
    const encoded = list.encode();
    fc.assert(
      fc.property(fc.nat({ max: encoded.length - 1 }), fc.constantFrom(...'AQgw_-=u.'), (at, char) => {
        const mutated = encoded.slice(0, at) + char + encoded.slice(at + 1);
        try {
          expect(StatusBitstring.decode(mutated).length).toBeGreaterThanOrEqual(STATUS_LIST_MIN_BITS);
        } catch (error) {
          expect(error).toBeInstanceOf(StatusListError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('allocateIndex', () => {
  it('never returns a used index, for sparse and dense lists', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer(),
        (length, density, seed) => {
          const random = seeded(seed);
          const used = new Set<number>();
          for (let index = 0; index < length; index++) if (random() < density) used.add(index);
          if (used.size === length) {
            expectStatusListError(
              () => allocateIndex((i) => used.has(i), { length, random }),
              'ERR_STATUS_LIST_FULL',
            );
            return;
          }
          const index = allocateIndex((i) => used.has(i), { length, random });
          expect(Number.isInteger(index)).toBe(true);
          expect(index).toBeGreaterThanOrEqual(0);
          expect(index).toBeLessThan(length);
          expect(used.has(index)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fills a small list completely without repeats, then reports it full', () => {
    const used = new Set<number>();
    const random = seeded(7);
    for (let n = 0; n < 500; n++) used.add(allocateIndex((i) => used.has(i), { length: 500, random }));
    expect(used.size).toBe(500);
    expectStatusListError(
      () => allocateIndex((i) => used.has(i), { length: 500, random }),
      'ERR_STATUS_LIST_FULL',
    );
  });

  it('draws the index from the random source, not sequentially', () => {
    expect(allocateIndex(() => false, { random: () => 0.5 })).toBe(65_536);
    expect(allocateIndex(() => false, { length: 1_000, random: () => 0.999 })).toBe(999);
  });

  it('uses a secure random source by default: consecutive allocations are scattered', () => {
    const used = new Set<number>();
    const allocated: number[] = [];
    for (let n = 0; n < 50; n++) {
      const index = allocateIndex((i) => used.has(i));
      used.add(index);
      allocated.push(index);
    }
    const steps = allocated.slice(1).map((index, i) => index - (allocated[i] ?? 0));
    expect(steps.filter((step) => step === 1).length).toBeLessThan(5);
    expect(new Set(allocated).size).toBe(50);
  });

  it('finds the single free index of an almost full list (exhaustive fallback)', () => {
    const length = 10_000;
    expect(allocateIndex((i) => i !== 4_321, { length, random: seeded(1) })).toBe(4_321);
  });

  it('draws uniformly among the free indices once probing gives up', () => {
    const free = [1_234, 8_765];
    const used = (index: number) => !free.includes(index);
    expect(allocateIndex(used, { length: 10_000, random: () => 0.25 })).toBe(1_234);
    expect(allocateIndex(used, { length: 10_000, random: () => 0.75 })).toBe(8_765);
  });

  it.each([
    ['1', () => 1],
    ['a negative number', () => -0.1],
    ['NaN', () => Number.NaN],
  ])('refuses a random source returning %s', (_label, random) => {
    expectStatusListError(() => allocateIndex(() => false, { random }), 'ERR_STATUS_LIST_ARGUMENT');
  });

  it('refuses a length outside 1..cap', () => {
    expectStatusListError(() => allocateIndex(() => false, { length: 0 }), 'ERR_STATUS_LIST_ARGUMENT');
    expectStatusListError(() => allocateIndex(() => false, { length: 2.5 }), 'ERR_STATUS_LIST_ARGUMENT');
  });
});

function popcount(byte: number): number {
  let count = 0;
  for (let bits = byte; bits; bits &= bits - 1) count++;
  return count;
}

function decodeBase64url(encoded: string): Buffer {
  return Buffer.from(encoded.slice(1), 'base64url');
}

/**
 * Revocation/suspension status as a W3C Bitstring Status List v1.0 bitstring.
 *
 * Why a bitstring: one published list answers "is credential #i revoked?" for every credential of an issuer
 * without telling the issuer which credential a verifier checks, and without listing the revoked ones.
 * Privacy holds only if the list is large (at least 131 072 entries, the W3C minimum) and indices are
 * handed out at random rather than in issuance order, hence {@link allocateIndex}.
 *
 * Wire form (`encodedList`): multibase base64url ('u' prefix, no padding) of the GZIP-compressed
 * bitstring. Index 0 is the left-most bit, i.e. the most significant bit of byte 0.
 *
 * @module
 */
import { Buffer } from 'node:buffer';
import { randomInt } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

/** W3C minimum bitstring length in bits (16 KiB), the herd a single credential hides in. */
export const STATUS_LIST_MIN_BITS = 131_072;

/**
 * Largest bitstring we create or accept, in bits (16 MiB uncompressed). Why a cap: `encodedList` is
 * fetched from issuers, and GZIP turns a few KiB into gigabytes, so decompression is bounded.
 */
export const STATUS_LIST_MAX_BITS = 16 * 1024 * 1024 * 8;

/** Stable error codes; the W3C error each corresponds to is noted on the subclasses. */
export type StatusListErrorCode =
  | 'ERR_STATUS_LIST_MALFORMED'
  | 'ERR_STATUS_LIST_LENGTH'
  | 'ERR_STATUS_LIST_INDEX'
  | 'ERR_STATUS_LIST_FULL'
  | 'ERR_STATUS_LIST_ARGUMENT';

/** Base class of every error this module throws. */
export class StatusListError extends Error {
  override name = 'StatusListError';
  readonly code: StatusListErrorCode;

  constructor(code: StatusListErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** `encodedList` is not multibase base64url of a GZIP stream (W3C MALFORMED_VALUE_ERROR). */
export class StatusListMalformedError extends StatusListError {
  override name = 'StatusListMalformedError';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_STATUS_LIST_MALFORMED', message, options);
  }
}

/** The bitstring is shorter than the W3C minimum or longer than our cap (W3C STATUS_LIST_LENGTH_ERROR). */
export class StatusListLengthError extends StatusListError {
  override name = 'StatusListLengthError';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_STATUS_LIST_LENGTH', message, options);
  }
}

/** An index that is not an integer inside the list (W3C RANGE_ERROR). */
export class StatusListIndexError extends StatusListError {
  override name = 'StatusListIndexError';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_STATUS_LIST_INDEX', message, options);
  }
}

/** Every index of the list is in use; the issuer must open a new list. */
export class StatusListFullError extends StatusListError {
  override name = 'StatusListFullError';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_STATUS_LIST_FULL', message, options);
  }
}

/** A caller-supplied argument is unusable (a length out of bounds, a random source outside [0, 1)). */
export class StatusListArgumentError extends StatusListError {
  override name = 'StatusListArgumentError';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_STATUS_LIST_ARGUMENT', message, options);
  }
}

const MULTIBASE_BASE64URL = 'u';
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const assertLength = (bits: number): void => {
  if (!Number.isSafeInteger(bits) || bits % 8 !== 0) {
    throw new StatusListLengthError(`status list length must be a whole number of bytes, got ${bits} bits`);
  }
  if (bits < STATUS_LIST_MIN_BITS || bits > STATUS_LIST_MAX_BITS) {
    throw new StatusListLengthError(
      `status list must hold ${STATUS_LIST_MIN_BITS}..${STATUS_LIST_MAX_BITS} bits, got ${bits}`,
    );
  }
};

/**
 * A mutable status bitstring. A set bit means the status (revoked, suspended…) applies to the credential
 * holding that index; a fresh list has every bit clear.
 *
 * @example
 * const list = StatusBitstring.create();
 * list.set(94_567, true);
 * const encodedList = list.encode(); // 'uH4sI…'
 * StatusBitstring.decode(encodedList).get(94_567); // true
 */
export class StatusBitstring {
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** A list of `lengthBits` clear bits (default and minimum {@link STATUS_LIST_MIN_BITS}). */
  static create(lengthBits: number = STATUS_LIST_MIN_BITS): StatusBitstring {
    assertLength(lengthBits);
    return new StatusBitstring(new Uint8Array(lengthBits / 8));
  }

  /**
   * Parses an `encodedList`. Why strict: the value comes from another party, so the multibase prefix,
   * canonical unpadded base64url, a complete GZIP stream and the length bounds are all enforced, and
   * decompression stops at {@link STATUS_LIST_MAX_BITS}.
   *
   * @throws {StatusListMalformedError} anything that is not 'u' + base64url(gzip(bytes)).
   * @throws {StatusListLengthError} a bitstring shorter than 131 072 bits or longer than the cap.
   */
  static decode(encoded: string): StatusBitstring {
    if (typeof encoded !== 'string' || !encoded.startsWith(MULTIBASE_BASE64URL)) {
      throw new StatusListMalformedError('encodedList must be a multibase base64url string (prefix "u")');
    }
    const text = encoded.slice(MULTIBASE_BASE64URL.length);
    if (!BASE64URL.test(text) || text.length % 4 === 1) {
      throw new StatusListMalformedError('encodedList is not unpadded base64url');
    }
    const compressed = Buffer.from(text, 'base64url');
    if (compressed.toString('base64url') !== text) {
      throw new StatusListMalformedError('encodedList is not canonical base64url');
    }
    let bytes: Buffer;
    try {
      bytes = gunzipSync(compressed, { maxOutputLength: STATUS_LIST_MAX_BITS / 8 });
    } catch (cause) {
      if (cause instanceof RangeError) {
        throw new StatusListLengthError(`status list expands beyond ${STATUS_LIST_MAX_BITS} bits`, { cause });
      }
      throw new StatusListMalformedError('encodedList is not a valid GZIP stream', { cause });
    }
    assertLength(bytes.length * 8);
    return new StatusBitstring(new Uint8Array(bytes));
  }

  /** Number of entries (bits) in the list. */
  get length(): number {
    return this.#bytes.length * 8;
  }

  /** Whether the status bit at `index` is set. @throws {StatusListIndexError} outside the list. */
  get(index: number): boolean {
    this.#assertIndex(index);
    return ((this.#bytes[index >>> 3] ?? 0) & (0x80 >>> (index & 7))) !== 0;
  }

  /** Sets or clears the status bit at `index`. @throws {StatusListIndexError} outside the list. */
  set(index: number, value: boolean): void {
    this.#assertIndex(index);
    const byte = index >>> 3;
    const mask = 0x80 >>> (index & 7);
    this.#bytes[byte] = value ? (this.#bytes[byte] ?? 0) | mask : (this.#bytes[byte] ?? 0) & ~mask;
  }

  /** The `encodedList` value: 'u' + base64url(gzip(bitstring)). */
  encode(): string {
    return MULTIBASE_BASE64URL + gzipSync(this.#bytes).toString('base64url');
  }

  #assertIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new StatusListIndexError(
        `status index must be an integer in 0..${this.length - 1}, got ${index}`,
      );
    }
  }
}

/** Options of {@link allocateIndex}. */
export interface AllocateIndexOptions {
  /** Number of indices in the list (default {@link STATUS_LIST_MIN_BITS}). */
  length?: number;
  /** Uniform source in [0, 1); defaults to `crypto.randomInt`. Tests pass a seeded one. */
  random?: () => number;
  /** Random probes before falling back to an exhaustive draw among free indices (default 64). */
  maxProbes?: number;
}

const secureRandom = (): number => randomInt(2 ** 47) / 2 ** 47;

/**
 * Picks an unused status index uniformly at random. Why random: sequential indices leak issuance order and
 * let an observer link credentials issued together, defeating the herd the list exists for.
 *
 * Random probing is fast while the list is sparse; once `maxProbes` probes all hit used indices, the
 * free indices are counted and one of them is drawn uniformly, so the result is always uniform among free
 * indices and a full list is detected rather than probed forever.
 *
 * @param used whether an index is already assigned (from the issuer's allocation store, not the status
 *   bits: an assigned, valid credential has a clear bit).
 * @throws {StatusListFullError} when every index is used.
 * @throws {StatusListArgumentError} a bad length, or `random` returning something outside [0, 1).
 */
export const allocateIndex = (
  used: (index: number) => boolean,
  options: AllocateIndexOptions = {},
): number => {
  const { length = STATUS_LIST_MIN_BITS, random = secureRandom, maxProbes = 64 } = options;
  if (!Number.isSafeInteger(length) || length < 1 || length > STATUS_LIST_MAX_BITS) {
    throw new StatusListArgumentError(
      `length must be an integer in 1..${STATUS_LIST_MAX_BITS}, got ${length}`,
    );
  }
  const draw = (bound: number): number => {
    const value = random();
    if (!(typeof value === 'number' && value >= 0 && value < 1)) {
      throw new StatusListArgumentError(`random() must return a number in [0, 1), got ${String(value)}`);
    }
    return Math.floor(value * bound);
  };
  for (let probe = 0; probe < maxProbes; probe++) {
    const index = draw(length);
    if (!used(index)) return index;
  }
  let free = 0;
  for (let index = 0; index < length; index++) if (!used(index)) free++;
  if (free === 0) throw new StatusListFullError(`all ${length} status indices are in use`);
  let remaining = draw(free);
  for (let index = 0; index < length; index++) {
    if (!used(index)) {
      if (remaining === 0) return index;
      remaining--;
    }
  }
  throw new StatusListFullError('status indices were taken while allocating');
};

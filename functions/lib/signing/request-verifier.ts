import { base64url, errors, flattenedVerify, importJWK } from 'jose';
import { ForbiddenError, SignatureError } from '#lib/errors.ts';
import { canonicalTarget } from '#lib/http/request-target.ts';
import { keyWindowState, type Partner, type PartnerKey } from '#lib/registry/partner.ts';
import type { PartnerDirectory } from '#lib/registry/registry-store.ts';
import type { ReplayGuard } from '#lib/replay/nonce-store.ts';
import { DetachedJwsFormatError, parseDetachedJws } from '#lib/signing/detached-jws.ts';
import {
  isPartnerAlgorithm,
  NONCE_PATTERN,
  PARTNER_ID_PATTERN,
  REQUEST_TYP,
  type RequestProtectedHeader,
} from '#lib/signing/protocol.ts';

/** The parts of an HTTP request the signature covers. */
export interface SignedRequest {
  method: string;
  /** Path plus `?query` in canonical form (`pathAndQuery` of http/request-target.ts). */
  pathAndQuery: string;
  body: Uint8Array;
  /** Value of the `x-jws-signature` header, if present. */
  signature: string | undefined;
}

/** Who signed a request that passed every check. */
export interface VerifiedCaller {
  partner: Partner;
  key: PartnerKey;
  header: RequestProtectedHeader;
}

export interface RequestVerifierPorts {
  directory: PartnerDirectory;
  replayGuard: ReplayGuard;
  /** Accepted distance between `iat` and the hub's clock, in seconds (default 300). */
  windowSeconds?: number;
  now?: () => Date;
}

type ImportedKey = Awaited<ReturnType<typeof importJWK>>;

/**
 * Verifies partner request signatures. Checks run cheapest-first and each failure names its
 * check; the nonce is claimed last, only for a request that passed everything else, so a forged
 * request cannot burn a legitimate partner's nonce.
 */
export class RequestVerifier {
  private readonly windowSeconds: number;
  private readonly now: () => Date;
  /** Imported keys by partner/kid/jwk: importing is the costly part of a warm verification. */
  private readonly importedKeys = new Map<string, Promise<ImportedKey>>();

  constructor(private readonly ports: RequestVerifierPorts) {
    this.windowSeconds = ports.windowSeconds ?? 300;
    this.now = ports.now ?? (() => new Date());
  }

  async verify(request: SignedRequest): Promise<VerifiedCaller> {
    if (!request.signature) {
      throw new SignatureError('signature-missing', 'add an x-jws-signature header: see docs/protocol.md');
    }
    const jws = parseSignatureHeader(request.signature);
    const header = checkHeader(jws.header);

    const partner = await this.ports.directory.get(header.iss);
    if (!partner)
      throw new SignatureError('partner-unknown', `iss "${header.iss}" is not a registered partner`);
    const key = partner.apiKeys.find((candidate) => candidate.kid === header.kid);
    if (!key) {
      throw new SignatureError(
        'key-unknown',
        `partner ${partner.partnerId} has no registered key with kid "${header.kid}"`,
      );
    }
    if (key.alg !== header.alg) {
      throw new SignatureError(
        'algorithm-rejected',
        `key "${key.kid}" is registered for ${key.alg}, not ${header.alg}`,
      );
    }
    const now = this.now();
    const window = keyWindowState(key, now);
    if (window === 'not-yet-valid') {
      throw new SignatureError('key-not-yet-valid', `key "${key.kid}" is not valid before ${key.notBefore}`);
    }
    if (window === 'expired') {
      throw new SignatureError(
        'key-expired',
        `key "${key.kid}" was retired at ${key.notAfter}; sign with a current key`,
      );
    }

    await this.checkSignature(partner.partnerId, key, jws, request.body);

    if (partner.status !== 'active') {
      throw new ForbiddenError(
        'partner-suspended',
        `partner ${partner.partnerId} is suspended; contact the hub operators`,
      );
    }
    if (header.htm !== request.method.toUpperCase()) {
      throw new SignatureError(
        'method-mismatch',
        `signed htm "${header.htm}" does not match the request method ${request.method}`,
      );
    }
    if (canonicalTarget(header.htu) !== request.pathAndQuery) {
      throw new SignatureError(
        'target-mismatch',
        `signed htu "${header.htu}" does not match the request target "${request.pathAndQuery}"`,
      );
    }
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const skew = header.iat - nowSeconds;
    if (Math.abs(skew) > this.windowSeconds) {
      throw new SignatureError(
        'iat-outside-window',
        `iat ${header.iat} is ${Math.abs(skew)} s ${skew < 0 ? 'in the past' : 'in the future'}; ` +
          `sign within ±${this.windowSeconds} s of the hub clock (now ${nowSeconds})`,
      );
    }
    const fresh = await this.ports.replayGuard.claim(
      partner.partnerId,
      header.jti,
      header.iat + this.windowSeconds,
      nowSeconds,
    );
    if (!fresh) {
      throw new SignatureError(
        'nonce-replayed',
        `nonce (jti) "${header.jti}" was already used; use a fresh random jti per request`,
      );
    }
    return { partner, key, header };
  }

  private async checkSignature(
    partnerId: string,
    key: PartnerKey,
    jws: ReturnType<typeof parseDetachedJws>,
    body: Uint8Array,
  ): Promise<void> {
    const cacheKey = `${partnerId}/${key.kid}/${JSON.stringify(key.jwk)}`;
    let imported = this.importedKeys.get(cacheKey);
    if (!imported) {
      imported = importJWK(key.jwk, key.alg);
      this.importedKeys.set(cacheKey, imported);
    }
    let verificationKey: ImportedKey;
    try {
      verificationKey = await imported;
    } catch (cause) {
      // A registered key that cannot be imported is the registry's fault, not a reason for a 500;
      // forget the failure so a corrected registration is picked up.
      this.importedKeys.delete(cacheKey);
      throw new SignatureError(
        'key-unknown',
        `registered key "${key.kid}" is not usable; contact the hub operators`,
        {
          cause,
        },
      );
    }
    try {
      await flattenedVerify(
        { protected: jws.protectedB64, payload: base64url.encode(body), signature: jws.signatureB64 },
        verificationKey,
        { algorithms: [key.alg] },
      );
    } catch (error) {
      if (error instanceof errors.JOSEError && error.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
        throw new SignatureError(
          'signature-invalid',
          'signature does not verify over this body, header and key',
          {
            cause: error,
          },
        );
      }
      if (error instanceof errors.JOSEError) {
        throw new SignatureError('signature-malformed', `JWS rejected (${error.code})`, { cause: error });
      }
      throw error;
    }
  }
}

function parseSignatureHeader(value: string) {
  try {
    return parseDetachedJws(value);
  } catch (error) {
    if (error instanceof DetachedJwsFormatError) {
      throw new SignatureError('signature-malformed', `x-jws-signature ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** Structural checks on the protected header, each naming the member at fault. */
function checkHeader(header: Record<string, unknown>): RequestProtectedHeader {
  const malformed = (what: string) => new SignatureError('signature-malformed', `protected header ${what}`);
  if (!isPartnerAlgorithm(header.alg)) {
    throw new SignatureError(
      'algorithm-rejected',
      `alg ${JSON.stringify(header.alg ?? null)} is not accepted; use ES256 or EdDSA`,
    );
  }
  if ('b64' in header || 'crit' in header)
    throw malformed('must not use b64 or crit: the payload is plain base64url');
  if (header.typ !== REQUEST_TYP) throw malformed(`typ must be "${REQUEST_TYP}"`);
  if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > 128) {
    throw malformed('kid must be a string of 1–128 characters');
  }
  if (typeof header.iss !== 'string' || !PARTNER_ID_PATTERN.test(header.iss)) {
    throw malformed('iss must be your partner id');
  }
  if (typeof header.htm !== 'string' || !/^[A-Z]{3,7}$/.test(header.htm)) {
    throw malformed('htm must be the upper-case HTTP method');
  }
  if (typeof header.htu !== 'string' || !header.htu.startsWith('/') || header.htu.length > 2048) {
    throw malformed('htu must be the request path and query, starting with "/"');
  }
  if (typeof header.iat !== 'number' || !Number.isSafeInteger(header.iat)) {
    throw malformed('iat must be an integer NumericDate (seconds since the epoch)');
  }
  if (typeof header.jti !== 'string' || !NONCE_PATTERN.test(header.jti)) {
    throw malformed('jti must be a random nonce of 22–128 base64url characters');
  }
  return header as unknown as RequestProtectedHeader;
}

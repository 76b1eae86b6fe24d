import type { KeyObject } from 'node:crypto';
import { compactVerify, errors, importJWK } from 'jose';
import {
  type CredentialAlgorithm,
  type IssuingKey,
  isCredentialAlgorithm,
} from '#lib/credentials/issuing-keys.ts';
import { importSm2PublicJwk, SM2_JWS_ALG, Sm2JwsError, verifyCompactSm2 } from '#lib/crypto/sm2-jws.ts';
import { keyWindowState, type Partner } from '#lib/registry/partner.ts';
import type { PartnerDirectory } from '#lib/registry/registry-store.ts';

/**
 * Verification of a credential (a pass or a licence document): a compact JWS signed with one of
 * its issuer's issuing keys. Every failure is a `CredentialRejection` with a stable `reason`,
 * which verifiers receive as is; nothing in here throws anything else for any input.
 */
export type CredentialFailure =
  | 'malformed'
  | 'algorithm-rejected'
  | 'issuer-unknown'
  | 'issuer-not-authorised'
  | 'issuer-suspended'
  | 'key-unknown'
  | 'key-not-yet-valid'
  | 'key-expired'
  | 'signature-invalid';

export class CredentialRejection extends Error {
  override readonly name = 'CredentialRejection';
  constructor(
    readonly reason: CredentialFailure | (string & {}),
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface VerifiedCredential {
  issuer: Partner;
  key: IssuingKey;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export interface CredentialVerifierOptions {
  directory: PartnerDirectory;
  /** The JWS `typ` this kind of credential must carry (e.g. `delta-pass+jwt`). */
  typ: string;
  /** Reads the claimed issuer id from the (not yet verified) payload, to find the key. */
  issuerOf: (payload: Record<string, unknown>) => unknown;
  /** Largest token accepted, in characters. */
  maxLength?: number;
}

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
type VerifyKey = Awaited<ReturnType<typeof importJWK>>;

export class CredentialVerifier {
  private readonly imported = new Map<string, Promise<VerifyKey>>();
  private readonly sm2Keys = new Map<string, KeyObject>();

  constructor(private readonly options: CredentialVerifierOptions) {}

  async verify(token: unknown, now: Date): Promise<VerifiedCredential> {
    const { header, payload } = decodeUnverified(token, this.options.maxLength ?? 8_192);
    if (!isCredentialAlgorithm(header.alg)) {
      throw new CredentialRejection(
        'algorithm-rejected',
        `alg ${JSON.stringify(header.alg ?? null)} is not accepted for credentials`,
      );
    }
    if (header.typ !== this.options.typ)
      throw new CredentialRejection('malformed', `typ must be "${this.options.typ}"`);
    if (typeof header.kid !== 'string' || header.kid.length === 0)
      throw new CredentialRejection('malformed', 'kid is missing');
    const issuerId = this.options.issuerOf(payload);
    if (typeof issuerId !== 'string')
      throw new CredentialRejection('malformed', 'the credential names no issuer');

    const issuer = await this.options.directory.get(issuerId);
    if (!issuer) throw new CredentialRejection('issuer-unknown', `issuer "${issuerId}" is not registered`);
    if (!issuer.roles.includes('credential-issuer')) {
      throw new CredentialRejection(
        'issuer-not-authorised',
        `${issuerId} does not hold the credential-issuer role`,
      );
    }
    if (issuer.status !== 'active')
      throw new CredentialRejection('issuer-suspended', `issuer ${issuerId} is suspended`);
    const key = (issuer.issuingKeys ?? []).find((candidate) => candidate.kid === header.kid);
    if (!key)
      throw new CredentialRejection(
        'key-unknown',
        `issuer ${issuerId} has no issuing key "${String(header.kid)}"`,
      );
    if (key.alg !== header.alg) {
      throw new CredentialRejection(
        'algorithm-rejected',
        `key "${key.kid}" is registered for ${key.alg}, not ${String(header.alg)}`,
      );
    }
    const window = keyWindowState(key, now);
    if (window === 'not-yet-valid')
      throw new CredentialRejection('key-not-yet-valid', `key "${key.kid}" is valid from ${key.notBefore}`);
    if (window === 'expired')
      throw new CredentialRejection('key-expired', `key "${key.kid}" was retired at ${key.notAfter}`);

    await this.checkSignature(issuerId, key, token as string);
    return { issuer, key, header, payload };
  }

  private async checkSignature(issuerId: string, key: IssuingKey, token: string): Promise<void> {
    // Keys are imported once per instance (by issuer, kid and key material) and then reused.
    const cacheKey = `${issuerId}/${key.kid}/${JSON.stringify(key.jwk)}`;
    if (key.alg === SM2_JWS_ALG) {
      try {
        let sm2Key = this.sm2Keys.get(cacheKey);
        if (!sm2Key) {
          sm2Key = importSm2PublicJwk(key.jwk);
          this.sm2Keys.set(cacheKey, sm2Key);
        }
        verifyCompactSm2(token, sm2Key, { userId: key.sm2UserId });
        return;
      } catch (error) {
        if (error instanceof Sm2JwsError) {
          throw new CredentialRejection('signature-invalid', 'SM2 signature does not verify', {
            cause: error,
          });
        }
        throw error;
      }
    }
    let imported = this.imported.get(cacheKey);
    if (!imported) {
      imported = importJWK(key.jwk, key.alg);
      this.imported.set(cacheKey, imported);
    }
    try {
      await compactVerify(token, await imported, {
        algorithms: [key.alg as Exclude<CredentialAlgorithm, 'SM2SM3'>],
      });
    } catch (error) {
      if (error instanceof errors.JOSEError) {
        throw new CredentialRejection('signature-invalid', `signature rejected (${error.code})`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

/** Splits and decodes a compact JWS without trusting it; any defect is `malformed`. */
export function decodeUnverified(
  token: unknown,
  maxLength: number,
): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  if (typeof token !== 'string' || token.length > maxLength || !COMPACT.test(token)) {
    throw new CredentialRejection('malformed', `not a compact JWS of at most ${maxLength} characters`);
  }
  const [headerPart, payloadPart] = token.split('.') as [string, string, string];
  const header = decodeJsonObject(headerPart, 'header');
  const payload = decodeJsonObject(payloadPart, 'payload');
  if ('crit' in header || 'b64' in header)
    throw new CredentialRejection('malformed', 'crit and b64 are not supported');
  return { header, payload };
}

function decodeJsonObject(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(segment, 'base64url')));
  } catch (cause) {
    throw new CredentialRejection('malformed', `${what} is not base64url JSON`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CredentialRejection('malformed', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

import { createHash } from 'node:crypto';
import {
  type CredentialFailure,
  CredentialRejection,
  CredentialVerifier,
  decodeUnverified,
} from '#lib/credentials/credential-verifier.ts';
import type { IssuingKey } from '#lib/credentials/issuing-keys.ts';
import type { FieldError } from '#lib/errors.ts';
import { jurisdictionErrors } from '#lib/licences/jurisdiction.ts';
import { type LicencePayload, validateLicence } from '#lib/licences/licence-types.ts';
import type { Partner } from '#lib/registry/partner.ts';
import type { PartnerDirectory } from '#lib/registry/registry-store.ts';
import { PARTNER_ID_PATTERN } from '#lib/signing/protocol.ts';

/**
 * A licence document (电子证照) is a compact JWS, header `typ: delta-licence+jws`, `alg` ES256,
 * EdDSA or SM2SM3, `kid` one of the issuer's issuing keys, whose payload is the licence JSON
 * (schemas/licence/v1.json + its type's schema). The issuer is `payload.issuer.partnerId`, and
 * the issuing authority the payload names must lie within that partner's jurisdiction in the trust
 * registry (jurisdiction.ts), or the document is `issuer-mismatch`.
 *
 * {@link LicenceDocumentChecker.check} answers any input with a result, never a throw: the
 * document is the untrusted part of every licence request.
 */
export const LICENCE_JWS_TYP = 'delta-licence+jws';
/** Largest licence document accepted, in characters (a 64-field licence fits with room to spare). */
export const LICENCE_DOCUMENT_MAX_LENGTH = 16_384;

/**
 * Why a document is not a valid licence, before its status is considered. `issuer-mismatch`: the
 * signature is the partner's, but the issuing authority the licence names (its division, or the
 * division in its USCC) is outside that partner's jurisdiction.
 */
export type DocumentFailure = CredentialFailure | 'schema-invalid' | 'issuer-mismatch';

/** What a verified signature makes authentic about a document, even one that fails its schema. */
export interface AuthenticClaims {
  issuerId: string;
  licenceNo?: string;
  licenceType?: string;
  version?: number;
}

export interface AcceptedDocument {
  ok: true;
  licence: LicencePayload;
  issuer: Partner;
  key: IssuingKey;
  /** SHA-256 of the document's ASCII bytes, base64url. */
  documentHash: string;
  /**
   * SHA-256 of the payload as signed (its base64url segment), base64url: the licence content.
   * ECDSA and SM2 signatures are randomised, so the same content signed twice is two documents
   * with one payload hash.
   */
  payloadHash: string;
  /** Non-fatal findings of the licence checks (e.g. a GB/T 36904 check character). */
  warnings: string[];
  /** True when the key was retired since publication and the document matched the published bytes. */
  acceptedAsPublished: boolean;
}

export interface RejectedDocument {
  ok: false;
  reason: DocumentFailure;
  detail: string;
  documentHash: string;
  /** Field errors of a `schema-invalid` or `issuer-mismatch` licence, pointing into the payload. */
  errors?: FieldError[];
  /** Present when the signature verified: the claims can be attributed to their issuer. */
  claims?: AuthenticClaims;
}

export type CheckedDocument = AcceptedDocument | RejectedDocument;

/**
 * Whether these exact bytes are the version in force of a published licence. Consulted only when
 * the signing key has since been retired (`key-expired`): a licence outlives a key rotation, and
 * the hub verified those bytes when they were published with the then-valid key. Publication
 * passes none, so it refuses every document signed with a retired key.
 */
export type IsPublished = (
  claims: { issuerId: string; licenceNo: string },
  documentHash: string,
) => Promise<boolean>;

export const documentHash = (document: string): string =>
  createHash('sha256').update(document, 'utf8').digest('base64url');

export class LicenceDocumentChecker {
  private readonly verifier: CredentialVerifier;

  constructor(private readonly directory: PartnerDirectory) {
    this.verifier = new CredentialVerifier({
      directory,
      typ: LICENCE_JWS_TYP,
      issuerOf: (payload) => issuerIdOf(payload),
      maxLength: LICENCE_DOCUMENT_MAX_LENGTH,
    });
  }

  async check(document: unknown, now: Date, isPublished?: IsPublished): Promise<CheckedDocument> {
    const hash = typeof document === 'string' ? documentHash(document) : documentHash('');
    let verified: { issuer: Partner; key: IssuingKey; payload: Record<string, unknown> };
    let acceptedAsPublished = false;
    try {
      verified = await this.verifier.verify(document, now);
    } catch (error) {
      if (!(error instanceof CredentialRejection)) throw error;
      const rescued =
        error.reason === 'key-expired' && isPublished
          ? await this.asPublished(document, hash, isPublished)
          : undefined;
      if (!rescued) {
        return {
          ok: false,
          reason: error.reason as CredentialFailure,
          detail: clip(error.message),
          documentHash: hash,
        };
      }
      verified = rescued;
      acceptedAsPublished = true;
    }
    const claims = authenticClaims(verified.issuer.partnerId, verified.payload);
    const { errors, warnings } = validateLicence(verified.payload);
    if (errors.length > 0) {
      return {
        ok: false,
        reason: 'schema-invalid',
        detail: clip(
          `the licence does not match its schema: ${errors
            .slice(0, 3)
            .map((e) => `${e.pointer || '/'} ${e.detail}`)
            .join('; ')}`,
        ),
        documentHash: hash,
        errors: errors
          .slice(0, 50)
          .map((e) => ({ pointer: clip(e.pointer, 1000), detail: clip(e.detail, 500) })),
        claims,
      };
    }
    const licence = verified.payload as unknown as LicencePayload;
    // After the schema (so the issuer fields have their shape), before anything trusts the content:
    // also for a document rescued as published, which may predate this check.
    const outside = jurisdictionErrors(licence.issuer, verified.issuer);
    if (outside.length > 0) {
      return {
        ok: false,
        reason: 'issuer-mismatch',
        detail: clip(
          `the licence names an issuing authority outside the jurisdiction of its issuer: ${outside
            .map((e) => `${e.pointer} ${e.detail}`)
            .join('; ')}`,
          1000,
        ),
        documentHash: hash,
        errors: outside.map((e) => ({ pointer: e.pointer, detail: clip(e.detail, 500) })),
        claims,
      };
    }
    return {
      ok: true,
      licence,
      issuer: verified.issuer,
      key: verified.key,
      documentHash: hash,
      payloadHash: documentHash((document as string).split('.')[1] as string),
      warnings,
      acceptedAsPublished,
    };
  }

  /** The claims of a document signed with a since-retired key, if the hub holds these exact bytes. */
  private async asPublished(
    document: unknown,
    hash: string,
    isPublished: IsPublished,
  ): Promise<{ issuer: Partner; key: IssuingKey; payload: Record<string, unknown> } | undefined> {
    const { header, payload } = decodeUnverified(document, LICENCE_DOCUMENT_MAX_LENGTH);
    const issuerId = issuerIdOf(payload);
    const licenceNo = payload.licenceNo;
    if (typeof issuerId !== 'string' || typeof licenceNo !== 'string' || licenceNo.length > 64)
      return undefined;
    if (!(await isPublished({ issuerId, licenceNo }, hash))) return undefined;
    const issuer = await this.directory.get(issuerId);
    const key = issuer?.issuingKeys?.find((candidate) => candidate.kid === header.kid);
    if (!issuer || !key) return undefined;
    return { issuer, key, payload };
  }
}

/**
 * `payload.issuer.partnerId`, read before anything is verified (it only selects the key). Only a
 * well-formed partner id is returned: junk never reaches the registry table (a 2 KB key would make
 * DynamoDB fail the read).
 */
export function issuerIdOf(payload: Record<string, unknown>): string | undefined {
  const issuer = payload.issuer;
  if (typeof issuer !== 'object' || issuer === null || Array.isArray(issuer)) return undefined;
  const partnerId = (issuer as Record<string, unknown>).partnerId;
  return typeof partnerId === 'string' && PARTNER_ID_PATTERN.test(partnerId) ? partnerId : undefined;
}

/** Shortens text that may quote untrusted input (a kid, an issuer id) to fit an answer's bounds. */
export const clip = (text: string, max = 300): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

function authenticClaims(issuerId: string, payload: Record<string, unknown>): AuthenticClaims {
  const { licenceNo, licenceType, version } = payload;
  return {
    issuerId,
    ...(typeof licenceNo === 'string' && licenceNo.length >= 1 && licenceNo.length <= 64
      ? { licenceNo }
      : {}),
    ...(typeof licenceType === 'string' && licenceType.length <= 64 ? { licenceType } : {}),
    ...(Number.isInteger(version) && (version as number) >= 1 && (version as number) <= 999
      ? { version: version as number }
      : {}),
  };
}

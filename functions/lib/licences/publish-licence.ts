import { CredentialRejection, decodeUnverified } from '#lib/credentials/credential-verifier.ts';
import {
  type AcceptedDocument,
  type CheckedDocument,
  clip,
  LICENCE_DOCUMENT_MAX_LENGTH,
} from '#lib/licences/licence-document.ts';
import {
  LicenceConcurrentChangeError,
  LicenceDocumentRejectedError,
  LicenceInvalidError,
  LicenceNotIssuerError,
  LicenceOutsideJurisdictionError,
  LicenceRevokedError,
  LicenceVersionConflictError,
} from '#lib/licences/licence-errors.ts';
import type { LicenceStatus } from '#lib/licences/licence-state.ts';
import { laterOf } from '#lib/licences/licence-status.ts';
import type { LicenceHead, LicenceStore } from '#lib/licences/licence-store.ts';

/**
 * POST /v1/licences: the issuing province publishes a licence, or the next version of one.
 *
 * Rules, in order: the caller must be the issuer the licence names (403 `licence-not-issuer`);
 * the document must verify against that issuer's issuing keys (400 `licence-document-rejected`)
 * and its licence type's schema (400 `licence-invalid`, with the fields); the issuing authority it
 * names must lie within the caller's jurisdiction in the trust registry (403
 * `licence-outside-jurisdiction`, see jurisdiction.ts); the version must be 1
 * for a new licence and current + 1 otherwise (409 `licence-version-conflict`); a revoked licence
 * takes no new version (409 `licence-revoked`). Publishing the same licence content again (the
 * same document, or the same payload signed anew) is a 200 no-op, so a client may retry freely.
 */
export interface PublishLicenceAnswer {
  outcome: 'published' | 'unchanged';
  issuer: string;
  licenceNo: string;
  licenceType: string;
  version: number;
  documentHash: string;
  statusIndex: number;
  status: LicenceStatus;
  publishedAt: string;
  warnings: string[];
}

export interface PublishLicencePorts {
  checker: { check(document: unknown, now: Date): Promise<CheckedDocument> };
  store: LicenceStore;
  /** Hands out fresh random status indices of the issuer (StatusListStore.allocate). */
  allocate(issuerId: string, count: number): Promise<number[]>;
  now: () => Date;
}

export async function publishLicence(
  input: { caller: { partnerId: string }; document: string },
  ports: PublishLicencePorts,
): Promise<{ created: boolean; answer: PublishLicenceAnswer }> {
  assertCallerIsIssuer(input.caller.partnerId, input.document);
  const now = ports.now();
  const checked = await ports.checker.check(input.document, now);
  if (!checked.ok) {
    if (checked.reason === 'schema-invalid') {
      throw new LicenceInvalidError(
        'the licence does not match its schema; errors point into the licence payload',
        checked.errors ?? [],
      );
    }
    if (checked.reason === 'issuer-mismatch') {
      throw new LicenceOutsideJurisdictionError(
        clip(
          `${input.caller.partnerId} may publish only licences issued within its jurisdiction; ${(
            checked.errors ?? []
          )
            .map((e) => `${e.pointer}: ${e.detail}`)
            .join('; ')}`,
          2000,
        ),
        { extensions: { errors: checked.errors ?? [] } },
      );
    }
    throw rejected(checked.reason, checked.detail);
  }
  // The checker found the key through payload.issuer.partnerId, so this holds; kept as a guard.
  if (checked.issuer.partnerId !== input.caller.partnerId) {
    throw new LicenceNotIssuerError(
      `the licence is issued by ${checked.issuer.partnerId}, not by the caller`,
    );
  }

  for (let attempt = 1; ; attempt++) {
    try {
      return await decideAndCommit(input.document, checked, ports);
    } catch (error) {
      // A concurrent publication of the same licence: decide again on what it left behind.
      if (error instanceof LicenceConcurrentChangeError && attempt < 2) continue;
      throw error;
    }
  }
}

/**
 * The credential reason travels as the problem's `reason` member (to branch on) and also leads
 * the detail (`key-unknown: …`, for people); both stay within the problem schema's bounds.
 */
const rejected = (reason: string, message: string) => {
  const detail = `${reason}: ${message}`;
  return new LicenceDocumentRejectedError(clip(detail, 1000), {
    extensions: { reason, errors: [{ pointer: '/document', detail: clip(detail, 500) }] },
  });
};

function assertCallerIsIssuer(callerId: string, document: string): void {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = decodeUnverified(document, LICENCE_DOCUMENT_MAX_LENGTH));
  } catch (error) {
    if (!(error instanceof CredentialRejection)) throw error;
    throw rejected('malformed', error.message);
  }
  const issuer = payload.issuer as { partnerId?: unknown } | undefined;
  const claimed = typeof issuer === 'object' && issuer !== null ? issuer.partnerId : undefined;
  if (typeof claimed === 'string' && claimed !== callerId) {
    throw new LicenceNotIssuerError(
      `the licence names ${claimed.slice(0, 40)} as its issuer; only the issuer may publish or change it, not ${callerId}`,
    );
  }
}

async function decideAndCommit(
  document: string,
  checked: AcceptedDocument,
  ports: PublishLicencePorts,
): Promise<{ created: boolean; answer: PublishLicenceAnswer }> {
  const { licence } = checked;
  const issuerId = checked.issuer.partnerId;
  const head = await ports.store.head(issuerId, licence.licenceNo);
  const answer = (state: LicenceHead, outcome: PublishLicenceAnswer['outcome']): PublishLicenceAnswer => ({
    outcome,
    issuer: issuerId,
    licenceNo: licence.licenceNo,
    licenceType: licence.licenceType,
    version: licence.version,
    documentHash: checked.documentHash,
    statusIndex: state.statusIndex,
    status: state.status,
    publishedAt: state.publishedAt,
    warnings: checked.warnings,
  });

  if (head && licence.version <= head.version) {
    const published =
      licence.version === head.version
        ? head.payloadHash
        : (await ports.store.version(issuerId, licence.licenceNo, licence.version))?.payloadHash;
    if (published === checked.payloadHash) return { created: false, answer: answer(head, 'unchanged') };
    throw new LicenceVersionConflictError(
      `version ${licence.version} of ${licence.licenceNo} was already published with different content; the next version is ${head.version + 1}`,
    );
  }
  if (!head && licence.version !== 1) {
    throw new LicenceVersionConflictError(
      `${licence.licenceNo} is not published yet: its first version must be 1, not ${licence.version}`,
    );
  }
  if (head && licence.version !== head.version + 1) {
    throw new LicenceVersionConflictError(
      `the current version of ${licence.licenceNo} is ${head.version}: the next must be ${head.version + 1}, not ${licence.version}`,
    );
  }
  if (head?.status === 'revoked') {
    throw new LicenceRevokedError(
      `${licence.licenceNo} is revoked; revocation is final and it takes no new version`,
    );
  }
  if (head && head.licenceType !== licence.licenceType) {
    throw new LicenceVersionConflictError(
      `${licence.licenceNo} is a ${head.licenceType}; a new version cannot change the licence type`,
    );
  }

  const now = ports.now();
  const at = laterOf(now, head?.updatedAt);
  const statusIndex = head?.statusIndex ?? ((await ports.allocate(issuerId, 1))[0] as number);
  const status: LicenceStatus = head?.status ?? 'active';
  const revision = (head?.revision ?? 0) + 1;
  const next: LicenceHead = {
    issuerId,
    licenceNo: licence.licenceNo,
    licenceType: licence.licenceType,
    version: licence.version,
    status,
    validFrom: licence.validFrom,
    ...(licence.validTo === undefined ? {} : { validTo: licence.validTo }),
    documentHash: checked.documentHash,
    payloadHash: checked.payloadHash,
    statusIndex,
    revision,
    publishedAt: head?.publishedAt ?? at,
    updatedAt: at,
    ...(head?.statusChangedAt === undefined ? {} : { statusChangedAt: head.statusChangedAt }),
    ...(head?.statusReason === undefined ? {} : { statusReason: head.statusReason }),
  };
  await ports.store.commit({
    head: next,
    ...(head ? { expectedRevision: head.revision } : {}),
    version: {
      issuerId,
      licenceNo: licence.licenceNo,
      version: licence.version,
      document,
      documentHash: checked.documentHash,
      payloadHash: checked.payloadHash,
      kid: checked.key.kid,
      alg: checked.key.alg,
      publishedAt: at,
    },
    history: {
      version: licence.version,
      status,
      validFrom: licence.validFrom,
      ...(licence.validTo === undefined ? {} : { validTo: licence.validTo }),
      seq: revision,
      at,
      action: 'publish',
      by: issuerId,
    },
  });
  return { created: true, answer: answer(next, 'published') };
}

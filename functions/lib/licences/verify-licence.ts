import { randomBytes } from 'node:crypto';
import type { FieldError } from '#lib/errors.ts';
import { discloseLicence, disclosureTier, type LicenceView } from '#lib/licences/disclosure.ts';
import type { CheckedDocument, DocumentFailure } from '#lib/licences/licence-document.ts';
import { signLicenceReceipt } from '#lib/licences/licence-receipt.ts';
import { currentStatusView, type LicenceStatusView } from '#lib/licences/licence-status.ts';
import type { LicenceHead, LicenceStore, RecognitionEvent } from '#lib/licences/licence-store.ts';
import type { Role } from '#lib/registry/partner.ts';
import type { Signer } from '#lib/signing/signer.ts';

/**
 * POST /v1/licences/verify: a partner presents a licence document; the hub checks signature,
 * schema, issuer and key, that the issuing authority is within the issuer's jurisdiction
 * (`issuer-mismatch` otherwise: a document published before that check existed is caught here), then the licence's current status and validity from its HEAD, records a
 * recognition event the issuer can list, and answers with the decision, the part of the licence
 * the caller's role may see, and a hub-signed receipt.
 *
 * A bad licence is an answer (`rejected` + a stable reason), never an error.
 */
export type LicenceReason =
  | DocumentFailure
  | 'not-published'
  | 'superseded'
  | 'expired'
  | 'not-yet-valid'
  | 'suspended'
  | 'revoked';

/** The reasons that come from the licence's state at the hub, not from the document itself. */
export type StatusReason = Exclude<LicenceReason, DocumentFailure>;

export interface VerifyLicenceAnswer {
  decision: 'recognised' | 'rejected';
  reason?: LicenceReason;
  detail?: string;
  licence?: LicenceView;
  status?: LicenceStatusView;
  warnings?: string[];
  errors?: FieldError[];
  eventId?: string;
  receipt: string;
}

export interface VerifyLicencePorts {
  /** The document checker; `isPublished` lets it accept a published document whose key has since retired. */
  checker: {
    check(
      document: unknown,
      now: Date,
      isPublished?: (claims: { issuerId: string; licenceNo: string }, hash: string) => Promise<boolean>,
    ): Promise<CheckedDocument>;
  };
  store: LicenceStore;
  signer: () => Promise<Signer>;
  now: () => Date;
  newId?: () => string;
}

const newEventId = (): string => randomBytes(16).toString('base64url');

export async function verifyLicence(
  input: { caller: { partnerId: string; roles: readonly Role[] }; document: string; purpose?: string },
  ports: VerifyLicencePorts,
): Promise<VerifyLicenceAnswer> {
  const now = ports.now();
  const heads = new Map<string, Promise<LicenceHead | undefined>>();
  const headOf = (issuerId: string, licenceNo: string) => {
    const key = `${issuerId}\u0000${licenceNo}`;
    let head = heads.get(key);
    if (!head) {
      head = ports.store.head(issuerId, licenceNo);
      heads.set(key, head);
    }
    return head;
  };
  const checked = await ports.checker.check(
    input.document,
    now,
    async (claims, hash) => (await headOf(claims.issuerId, claims.licenceNo))?.documentHash === hash,
  );

  let outcome: Omit<VerifyLicenceAnswer, 'receipt' | 'eventId'>;
  let event: Omit<RecognitionEvent, 'eventId' | 'verifiedAt' | 'credentialHash' | 'verifier'> | undefined;
  if (!checked.ok) {
    outcome = {
      decision: 'rejected',
      reason: checked.reason,
      detail: checked.detail,
      ...(checked.errors ? { errors: checked.errors } : {}),
    };
    const claims = checked.claims;
    if (claims?.licenceNo !== undefined) {
      event = {
        issuerId: claims.issuerId,
        licenceNo: claims.licenceNo,
        ...(claims.licenceType === undefined ? {} : { licenceType: claims.licenceType }),
        ...(claims.version === undefined ? {} : { version: claims.version }),
        decision: 'rejected',
        reason: checked.reason,
      };
    }
  } else {
    const { licence } = checked;
    const issuerId = checked.issuer.partnerId;
    const head = await headOf(issuerId, licence.licenceNo);
    const reason: StatusReason | undefined = head
      ? await statusReason(head, licence.version, checked.payloadHash, now, ports.store)
      : 'not-published';
    const view = discloseLicence(licence, disclosureTier(input.caller, issuerId), checked.issuer);
    outcome = {
      decision: reason === undefined ? 'recognised' : 'rejected',
      ...(reason === undefined ? {} : { reason, detail: REASON_DETAIL[reason] }),
      licence: view,
      ...(head ? { status: currentStatusView(head, now, input.caller.partnerId === issuerId) } : {}),
      ...(checked.warnings.length > 0 ? { warnings: checked.warnings.slice(0, 20) } : {}),
    };
    event = {
      issuerId,
      licenceNo: licence.licenceNo,
      licenceType: licence.licenceType,
      version: licence.version,
      decision: outcome.decision,
      ...(reason === undefined ? {} : { reason }),
    };
  }

  const eventId = (ports.newId ?? newEventId)();
  const verifiedAt = now.toISOString();
  if (event) {
    await ports.store.recordRecognition({
      ...event,
      eventId,
      verifier: input.caller.partnerId,
      ...(input.purpose === undefined ? {} : { purpose: input.purpose }),
      verifiedAt,
      credentialHash: checked.documentHash,
    });
  }
  const receipt = await signLicenceReceipt(await ports.signer(), {
    iss: 'delta-hub',
    iat: Math.floor(now.getTime() / 1000),
    jti: eventId,
    decision: outcome.decision,
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
    credentialHash: checked.documentHash,
    credentialType: 'licence',
    ...(event ? { issuer: event.issuerId, eventId } : {}),
    verifier: input.caller.partnerId,
    ...(input.purpose === undefined ? {} : { purpose: input.purpose }),
    verifiedAt,
  });
  return { ...outcome, ...(event ? { eventId } : {}), receipt };
}

/**
 * Why a licence whose document is sound is not recognised, or undefined when it is. The content
 * (payload) must be the one published: signatures are randomised, so the issuer's copy and the
 * hub's may differ in their signature bytes. Status outranks version, version outranks dates: a
 * revoked licence is `revoked` whatever version is shown.
 */
async function statusReason(
  head: LicenceHead,
  version: number,
  payloadHash: string,
  now: Date,
  store: LicenceStore,
): Promise<StatusReason | undefined> {
  if (head.status === 'revoked') return 'revoked';
  if (head.status === 'suspended') return 'suspended';
  if (version < head.version) {
    // Superseded only if it really is an earlier published version; any other signed document is not published.
    const earlier = await store.version(head.issuerId, head.licenceNo, version);
    return earlier?.payloadHash === payloadHash ? 'superseded' : 'not-published';
  }
  if (version > head.version || payloadHash !== head.payloadHash) return 'not-published';
  const standing = currentStatusView(head, now, false).standing;
  if (standing === 'expired' || standing === 'not-yet-valid') return standing;
  return undefined;
}

const REASON_DETAIL: Record<StatusReason, string> = {
  'not-published': 'the issuer has not published this document through the hub',
  superseded: 'a later version of this licence has been published; ask the holder for the current one',
  expired: 'the licence is past its last valid day',
  'not-yet-valid': 'the licence is not valid yet',
  suspended: 'the issuer has suspended this licence',
  revoked: 'the issuer has revoked this licence',
};

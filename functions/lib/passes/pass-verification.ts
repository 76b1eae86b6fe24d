import { createHash, randomBytes } from 'node:crypto';
import {
  type CredentialFailure,
  CredentialRejection,
  decodeUnverified,
  type VerifiedCredential,
} from '#lib/credentials/credential-verifier.ts';
import type { StatusListReader } from '#lib/credentials/status-list-store.ts';
import { mapBounded } from '#lib/map-bounded.ts';
import {
  PASS_REJECTION_REASONS,
  type PassReceipt,
  type PassRejectionReason,
  type PassVerificationResult,
  passClaimsContract,
  receiptContract,
} from '#lib/passes/contracts.ts';
import { disclosePass } from '#lib/passes/disclosure.ts';
import {
  type Checkpoint,
  PASS_CLOCK_SKEW_SECONDS,
  PASS_MAX_LENGTH,
  PASS_MAX_LIFETIME_SECONDS,
  type PassClaims,
  regionCovers,
} from '#lib/passes/pass-claims.ts';
import type { Role } from '#lib/registry/partner.ts';
import { signCompact } from '#lib/signing/compact.ts';
import { HUB_ISSUER, PARTNER_ID_PATTERN } from '#lib/signing/protocol.ts';
import type { Signer } from '#lib/signing/signer.ts';

/**
 * Verification of one-code passes on behalf of a checkpoint: the use case behind
 * `POST /v1/passes/verify` and `/verify-batch`, free of HTTP. A bad pass is an answer (decision
 * `rejected` with a stable reason), never an error: only infrastructure failures throw.
 *
 * Checks, in order (the first failure is the reason):
 * 1. the JWS and its issuer (CredentialVerifier): structure, `typ`, `alg`, issuer registered,
 *    holds `credential-issuer`, active; `kid` among its issuing keys, key window, signature;
 * 2. the claims against schemas/pass/v1.json (`claims-invalid`), `exp > nbf`;
 * 3. lifetime `exp − min(iat, nbf)` ≤ 24 h (`lifetime-too-long`);
 * 4. time with ±60 s skew: `expired`, then `not-yet-valid` (nbf, or an iat in the future);
 * 5. scope: the checkpoint kind, and its division when the pass names regions (`scope-mismatch`);
 * 6. status: the issuer's revocation then suspension list at `status.idx` (`revoked`, `suspended`).
 *
 * @module
 */

/** What the use case needs of a CredentialVerifier. */
export type TimedCredentialVerifier = {
  verify(token: unknown, now: Date): Promise<VerifiedCredential>;
};

export interface PassVerifierPorts {
  /** A CredentialVerifier for typ `delta-pass+jwt` over the cached partner directory. */
  credentials: TimedCredentialVerifier;
  /** Issuers' status lists; the cached reader in production, so a warm check reads no table. */
  statusLists: StatusListReader;
  /** Signs receipts (the hub's KMS key in production). */
  signer: Signer;
  now: () => Date;
  /** Receipt ids; default 128 random bits, base64url. */
  newId?: () => string;
}

export interface PassCaller {
  partnerId: string;
  roles: readonly Role[];
}

export type PassAssessment =
  | { decision: 'accepted'; claims: PassClaims; issuer: string }
  | { decision: 'rejected'; reason: PassRejectionReason; detail: string; issuer?: string };

const DETAIL_MAX = 512;
const isReason = (value: unknown): value is PassRejectionReason =>
  (PASS_REJECTION_REASONS as readonly unknown[]).includes(value);
// Every reason the credential verifier can give is a pass reason (checked at compile time).
const _credentialReasonsArePassReasons: readonly PassRejectionReason[] = [] as CredentialFailure[];
void _credentialReasonsArePassReasons;

const rejected = (reason: PassRejectionReason, detail: string, issuer?: string): PassAssessment => ({
  decision: 'rejected',
  reason,
  detail: detail.length > DETAIL_MAX ? `${detail.slice(0, DETAIL_MAX - 1)}…` : detail,
  ...(issuer === undefined ? {} : { issuer }),
});

/** The partner id a pass names, unverified, when it is well formed; for the receipt only. */
function namedIssuer(pass: unknown): string | undefined {
  try {
    return passIssuerOf(decodeUnverified(pass, PASS_MAX_LENGTH).payload);
  } catch {
    return undefined;
  }
}

/** Reads the issuer id a pass claims, so the verifier can find its key; junk never reaches the table. */
export const passIssuerOf = (payload: Record<string, unknown>): string | undefined =>
  typeof payload.iss === 'string' && PARTNER_ID_PATTERN.test(payload.iss) ? payload.iss : undefined;

/** Runs every check on one pass; the decision without receipt or disclosure. */
export async function assessPass(
  pass: unknown,
  checkpoint: Checkpoint,
  now: Date,
  ports: Pick<PassVerifierPorts, 'credentials' | 'statusLists'>,
): Promise<PassAssessment> {
  let verified: VerifiedCredential;
  try {
    verified = await ports.credentials.verify(pass, now);
  } catch (error) {
    if (error instanceof CredentialRejection && isReason(error.reason)) {
      return rejected(error.reason, error.message, namedIssuer(pass));
    }
    throw error;
  }
  const issuer = verified.issuer.partnerId;
  const problems = passClaimsContract.check(verified.payload);
  if (problems.length > 0) {
    const first = problems[0];
    return rejected(
      'claims-invalid',
      `claims do not match schemas/pass/v1.json: ${first?.pointer || '/'} ${first?.detail ?? ''}`.trim(),
      issuer,
    );
  }
  const claims = verified.payload as unknown as PassClaims;
  if (claims.exp <= claims.nbf) return rejected('claims-invalid', 'exp must be later than nbf', issuer);
  const lifetime = claims.exp - Math.min(claims.iat, claims.nbf);
  if (lifetime > PASS_MAX_LIFETIME_SECONDS) {
    return rejected(
      'lifetime-too-long',
      `pass is valid for ${lifetime} s; at most ${PASS_MAX_LIFETIME_SECONDS} s is accepted`,
      issuer,
    );
  }
  const seconds = now.getTime() / 1000;
  if (seconds >= claims.exp + PASS_CLOCK_SKEW_SECONDS) {
    return rejected('expired', `pass expired at ${isoOf(claims.exp)}`, issuer);
  }
  if (seconds < claims.nbf - PASS_CLOCK_SKEW_SECONDS) {
    return rejected('not-yet-valid', `pass is valid from ${isoOf(claims.nbf)}`, issuer);
  }
  if (claims.iat > seconds + PASS_CLOCK_SKEW_SECONDS) {
    return rejected('not-yet-valid', `pass claims to be issued in the future (${isoOf(claims.iat)})`, issuer);
  }
  if (!claims.scope.includes(checkpoint.kind)) {
    return rejected(
      'scope-mismatch',
      `pass admits [${claims.scope.join(', ')}], not a ${checkpoint.kind} checkpoint`,
      issuer,
    );
  }
  if (claims.regions !== undefined) {
    const division = checkpoint.divisionCode;
    if (division === undefined) {
      return rejected(
        'scope-mismatch',
        'pass is restricted to regions; the checkpoint must send its divisionCode',
        issuer,
      );
    }
    if (!claims.regions.some((region) => regionCovers(region, division))) {
      return rejected(
        'scope-mismatch',
        `pass is valid in [${claims.regions.join(', ')}], not in ${division}`,
        issuer,
      );
    }
  }
  let lists = await ports.statusLists.get(issuer);
  // A freshly allocated index may be newer than the cached lists: look once more before refusing.
  if (!lists.allocated.get(claims.status.idx)) lists = await ports.statusLists.get(issuer, { fresh: true });
  if (!lists.allocated.get(claims.status.idx) || lists.licences.get(claims.status.idx)) {
    // An index never handed out, or one that belongs to a licence, can never be revoked for this pass.
    return rejected(
      'status-invalid',
      'the pass carries a status index its issuer cannot revoke it by',
      issuer,
    );
  }
  if (lists.revocation.get(claims.status.idx))
    return rejected('revoked', 'the issuer revoked this pass', issuer);
  if (lists.suspension.get(claims.status.idx))
    return rejected('suspended', 'the issuer suspended this pass', issuer);
  return { decision: 'accepted', claims, issuer };
}

const isoOf = (numericDate: number): string => new Date(numericDate * 1000).toISOString();

/** SHA-256 of the pass as presented (UTF-8 bytes; ASCII for any well-formed pass), base64url. */
export const credentialHash = (pass: string): string =>
  createHash('sha256').update(pass, 'utf8').digest('base64url');

export const RECEIPT_TYP = 'delta-hub-receipt+jwt';

/**
 * Verifies one pass and answers with the decision, the claims the caller's roles may see (when
 * accepted) and a hub-signed receipt.
 */
export async function verifyPass(
  input: { pass: string; checkpoint: Checkpoint; caller: PassCaller },
  ports: PassVerifierPorts,
): Promise<PassVerificationResult> {
  const now = ports.now();
  const assessment = await assessPass(input.pass, input.checkpoint, now, ports);
  const receipt: PassReceipt = {
    iss: HUB_ISSUER,
    iat: Math.floor(now.getTime() / 1000),
    jti: (ports.newId ?? (() => randomBytes(16).toString('base64url')))(),
    decision: assessment.decision,
    ...(assessment.decision === 'rejected' ? { reason: assessment.reason } : {}),
    credentialHash: credentialHash(input.pass),
    credentialType: 'pass',
    ...(assessment.issuer === undefined ? {} : { issuer: assessment.issuer }),
    verifier: input.caller.partnerId,
    checkpoint: {
      id: input.checkpoint.id,
      kind: input.checkpoint.kind,
      ...(input.checkpoint.divisionCode === undefined ? {} : { divisionCode: input.checkpoint.divisionCode }),
    },
    verifiedAt: now.toISOString(),
  };
  const problems = receiptContract.check(receipt);
  if (problems.length > 0) throw new Error(`receipt breaks its schema: ${JSON.stringify(problems)}`);
  const signed = await signCompact(ports.signer, { typ: RECEIPT_TYP }, { ...receipt });
  if (assessment.decision === 'accepted') {
    return {
      decision: 'accepted',
      claims: disclosePass(assessment.claims, input.caller.roles),
      receipt: signed,
    };
  }
  return { decision: 'rejected', reason: assessment.reason, detail: assessment.detail, receipt: signed };
}

/** Passes verified at once per batch: enough to overlap receipt signing (a KMS call each). */
export const BATCH_CONCURRENCY = 8;

/** Verifies up to 100 passes for one checkpoint; one result (with its own receipt) per pass, in order. */
export async function verifyPassBatch(
  input: { passes: readonly string[]; checkpoint: Checkpoint; caller: PassCaller },
  ports: PassVerifierPorts,
  concurrency = BATCH_CONCURRENCY,
): Promise<{ results: PassVerificationResult[] }> {
  const results = await mapBounded(input.passes, concurrency, (pass) =>
    verifyPass({ pass, checkpoint: input.checkpoint, caller: input.caller }, ports),
  );
  return { results };
}

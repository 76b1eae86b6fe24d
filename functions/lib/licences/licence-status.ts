import type { IssuerStatusLists, StatusPurpose } from '#lib/credentials/status-list-store.ts';
import { ValidationError } from '#lib/errors.ts';
import {
  LicenceConcurrentChangeError,
  LicenceNotFoundError,
  LicenceNotIssuerError,
} from '#lib/licences/licence-errors.ts';
import {
  applyStatusAction,
  type HistoryEntry,
  type LicenceState,
  type LicenceStatus,
  type Standing,
  type StatusAction,
  standingAt,
} from '#lib/licences/licence-state.ts';
import type { LicenceHead, LicenceStore } from '#lib/licences/licence-store.ts';

/**
 * Issuer status actions (suspend, reinstate, revoke, renew) and status queries, now or at a past
 * moment. The licence's HEAD item is the source of truth; the issuer's status-list bits, which
 * offline verifiers read, follow it (see {@link syncStatusBits}).
 */

/** The status of a licence at one moment, as the hub answers it. */
export interface LicenceStatusView {
  /** `valid`, or why not; `not-published` for a moment before the licence was published. */
  standing: Standing | 'not-published';
  valid: boolean;
  /** The moment the answer is for. */
  at: string;
  status?: LicenceStatus;
  /** The version in force at that moment. */
  version?: number;
  validFrom?: string;
  /** Effective last valid day, renewals included; absent = no expiry. */
  validTo?: string;
  /** Index of the licence in the issuer's status lists (GET /v1/status-lists/{issuer}). */
  statusIndex?: number;
  /** When the status last changed (up to that moment). */
  statusChangedAt?: string;
  /** The issuer's reason for the last status action: shown to the issuer only. */
  statusReason?: string;
}

export interface LicenceStatusAnswer {
  issuer: string;
  licenceNo: string;
  licenceType: string;
  status: LicenceStatusView;
}

/** Just the state of a licence, out of anything that carries one (HEAD, a history entry). */
export const stateOf = (state: LicenceState): LicenceState => ({
  status: state.status,
  version: state.version,
  validFrom: state.validFrom,
  ...(state.validTo === undefined ? {} : { validTo: state.validTo }),
});

/** The status view of HEAD at `at` (now). */
export function currentStatusView(head: LicenceHead, at: Date, forIssuer: boolean): LicenceStatusView {
  const standing = standingAt(head, at);
  return {
    standing,
    valid: standing === 'valid',
    at: at.toISOString(),
    ...stateOf(head),
    statusIndex: head.statusIndex,
    ...(head.statusChangedAt === undefined ? {} : { statusChangedAt: head.statusChangedAt }),
    ...(forIssuer && head.statusReason !== undefined ? { statusReason: head.statusReason } : {}),
  };
}

/** Tolerated clock difference for an `at` a little after the hub's now. */
const FUTURE_SKEW_MS = 60_000;

/**
 * GET /v1/licences/{issuer}/{number}/status[?at=]: where the licence stands now, or stood at
 * `at`. A past moment is answered from the history entry in force then (the version, status and
 * effective validity it snapshots), so a renewal or suspension after `at` does not rewrite what
 * was true at `at`.
 */
export async function licenceStatus(
  input: { caller: { partnerId: string }; issuerId: string; licenceNo: string; at?: string },
  ports: { store: LicenceStore; now: () => Date },
): Promise<LicenceStatusAnswer> {
  const now = ports.now();
  const head = await ports.store.head(input.issuerId, input.licenceNo);
  if (!head) throw new LicenceNotFoundError(`${input.issuerId} has published no licence ${input.licenceNo}`);
  const forIssuer = input.caller.partnerId === input.issuerId;
  const answer = (status: LicenceStatusView): LicenceStatusAnswer => ({
    issuer: head.issuerId,
    licenceNo: head.licenceNo,
    licenceType: head.licenceType,
    status,
  });
  if (input.at === undefined) return answer(currentStatusView(head, now, forIssuer));

  const at = new Date(input.at);
  if (Number.isNaN(at.getTime())) {
    throw new ValidationError('at is not a date-time', [
      { pointer: '/at', detail: 'must be an ISO 8601 date-time' },
    ]);
  }
  if (at.getTime() > now.getTime() + FUTURE_SKEW_MS) {
    throw new ValidationError('at is in the future', [
      { pointer: '/at', detail: 'must not be in the future: the hub answers what was, not what will be' },
    ]);
  }
  const entry = await ports.store.stateAt(input.issuerId, input.licenceNo, at);
  if (!entry) return answer({ standing: 'not-published', valid: false, at: at.toISOString() });
  return answer(historyStatusView(entry, at, head.statusIndex, forIssuer));
}

function historyStatusView(
  entry: HistoryEntry,
  at: Date,
  statusIndex: number,
  forIssuer: boolean,
): LicenceStatusView {
  const standing = standingAt(entry, at);
  return {
    standing,
    valid: standing === 'valid',
    at: at.toISOString(),
    ...stateOf(entry),
    statusIndex,
    ...(forIssuer && entry.reason !== undefined ? { statusReason: entry.reason } : {}),
  };
}

/** Read and write access to the issuer's status lists, as StatusListStore offers it. */
export interface StatusBits {
  get(issuerId: string): Promise<IssuerStatusLists>;
  setStatus(issuerId: string, index: number, purpose: StatusPurpose, value: boolean): Promise<boolean>;
}

export interface StatusChangeInput {
  caller: { partnerId: string };
  issuerId: string;
  licenceNo: string;
  action: StatusAction;
  reason: string;
  validTo?: string;
}

export interface StatusChangeAnswer extends LicenceStatusAnswer {
  action: StatusAction;
  /** False when the licence already was in the requested state (a retry): nothing was recorded. */
  changed: boolean;
}

const ATTEMPTS = 3;

/**
 * POST /v1/licences/{issuer}/{number}/status, issuer only. Records the change (HEAD + a history
 * entry, in one conditional transaction), then brings the status-list bits in line. A repeated
 * request changes nothing but re-applies the bits, which is how a change whose bit update failed
 * is completed: the caller retries.
 */
export async function changeLicenceStatus(
  input: StatusChangeInput,
  ports: { store: LicenceStore; bits: StatusBits; now: () => Date },
): Promise<StatusChangeAnswer> {
  if (input.caller.partnerId !== input.issuerId) {
    throw new LicenceNotIssuerError(
      `only ${input.issuerId} may change the status of its licences; ${input.caller.partnerId} may not`,
    );
  }
  for (let attempt = 1; ; attempt++) {
    const head = await ports.store.head(input.issuerId, input.licenceNo);
    if (!head)
      throw new LicenceNotFoundError(`${input.issuerId} has published no licence ${input.licenceNo}`);
    const { next, changed } = applyStatusAction(head, input.action, {
      ...(input.validTo === undefined ? {} : { validTo: input.validTo }),
    });
    let result = head;
    if (changed) {
      const now = ports.now();
      const at = laterOf(now, head.updatedAt);
      const statusChanged = next.status !== head.status;
      const updated: LicenceHead = {
        ...head,
        ...next,
        revision: head.revision + 1,
        updatedAt: at,
        ...(statusChanged ? { statusChangedAt: at, statusReason: input.reason } : {}),
      };
      try {
        await ports.store.commit({
          head: updated,
          expectedRevision: head.revision,
          history: {
            ...stateOf(next),
            seq: updated.revision,
            at,
            action: input.action,
            by: input.caller.partnerId,
            reason: input.reason,
          },
        });
      } catch (error) {
        if (error instanceof LicenceConcurrentChangeError && attempt < ATTEMPTS) continue;
        throw error;
      }
      result = updated;
    }
    await syncStatusBits(input.issuerId, input.licenceNo, ports);
    return {
      issuer: result.issuerId,
      licenceNo: result.licenceNo,
      licenceType: result.licenceType,
      action: input.action,
      changed,
      status: currentStatusView(result, ports.now(), true),
    };
  }
}

/** ISO time of `now`, or of `previous` when this instance's clock is behind it (history stays ordered). */
export const laterOf = (now: Date, previous: string | undefined): string =>
  previous !== undefined && Date.parse(previous) > now.getTime() ? previous : now.toISOString();

/**
 * Makes the status-list bits of a licence match its HEAD: revocation bit = revoked, suspension
 * bit = suspended. Reads HEAD again after writing; if another change landed meanwhile, goes round
 * again, so the last writer always leaves the bits of the last state. Bits are set before they
 * are cleared, so an interrupted update errs towards "not valid".
 */
export async function syncStatusBits(
  issuerId: string,
  licenceNo: string,
  ports: { store: LicenceStore; bits: StatusBits },
): Promise<void> {
  let head = await ports.store.head(issuerId, licenceNo);
  for (let round = 0; head && round < ATTEMPTS; round++) {
    const { statusIndex, status, revision } = head;
    const wanted: Record<StatusPurpose, boolean> = {
      revocation: status === 'revoked',
      suspension: status === 'suspended',
    };
    const lists = await ports.bits.get(issuerId);
    const changes = (['revocation', 'suspension'] as const)
      .filter((purpose) => lists[purpose].get(statusIndex) !== wanted[purpose])
      .sort((a, b) => Number(wanted[b]) - Number(wanted[a]));
    // Nothing written, nothing stale: a later change of HEAD syncs its own bits.
    if (changes.length === 0) return;
    for (const purpose of changes)
      await ports.bits.setStatus(issuerId, statusIndex, purpose, wanted[purpose]);
    const after = await ports.store.head(issuerId, licenceNo);
    if (!after || after.revision === revision) return;
    head = after;
  }
}

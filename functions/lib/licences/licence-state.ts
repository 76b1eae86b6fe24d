import { LicenceRenewalError, LicenceRevokedError } from '#lib/licences/licence-errors.ts';

/**
 * The life of a licence as the hub tracks it, free of storage: its status, the version in force,
 * its effective validity, and the rules for changing them. Every change is recorded as a history
 * entry that snapshots the whole state after it, so "what was the state at T" is simply the last
 * entry at or before T (one read, see licence-store.ts).
 */
export type LicenceStatus = 'active' | 'suspended' | 'revoked';
export type StatusAction = 'suspend' | 'reinstate' | 'revoke' | 'renew';
export const STATUS_ACTIONS: readonly StatusAction[] = ['suspend', 'reinstate', 'revoke', 'renew'];
export type HistoryAction = 'publish' | StatusAction;

/** The state of a licence after a change. Dates are `YYYY-MM-DD`, as on the licence. */
export interface LicenceState {
  /** The version in force (the latest published). */
  version: number;
  status: LicenceStatus;
  validFrom: string;
  /** Effective last day of validity, renewals included; absent = 长期 (no expiry). */
  validTo?: string;
}

/** One change, as recorded in the licence's status history. */
export interface HistoryEntry extends LicenceState {
  /** The licence's revision after this change: 1, 2, 3… (orders entries with equal times). */
  seq: number;
  /** ISO 8601 instant the change took effect. */
  at: string;
  action: HistoryAction;
  /** Partner that made the change (always the issuer). */
  by: string;
  /** The issuer's reason (status actions only). */
  reason?: string;
}

/** Where a licence stands at a moment: `valid`, or why not. */
export type Standing = 'valid' | 'not-yet-valid' | 'expired' | 'suspended' | 'revoked';

const DAY_MS = 86_400_000;

/**
 * Licence dates are calendar days in China Standard Time (UTC+8, no daylight saving), as printed
 * on the licence: valid from 00:00 of `validFrom` up to, not including, 00:00 of the day after
 * `validTo` (the last day is a whole valid day).
 */
export const validityStart = (validFrom: string): number => Date.parse(`${validFrom}T00:00:00+08:00`);
export const validityEnd = (validTo: string | undefined): number =>
  validTo === undefined ? Number.POSITIVE_INFINITY : Date.parse(`${validTo}T00:00:00+08:00`) + DAY_MS;

/**
 * Where a licence in `state` stands at `at`. Status outranks dates: a revoked licence reads
 * `revoked` even after its expiry, since that is the more important thing to know.
 */
export function standingAt(state: LicenceState, at: Date): Standing {
  if (state.status === 'revoked') return 'revoked';
  if (state.status === 'suspended') return 'suspended';
  const time = at.getTime();
  if (time < validityStart(state.validFrom)) return 'not-yet-valid';
  if (time >= validityEnd(state.validTo)) return 'expired';
  return 'valid';
}

/**
 * The state after an issuer's status action, or `changed: false` when the licence already is in
 * the requested state (a retried request). Revocation is final: anything but a repeated revoke
 * on a revoked licence is refused.
 *
 * @throws {LicenceRevokedError} suspend, reinstate or renew of a revoked licence.
 * @throws {LicenceRenewalError} a renewal that does not extend validity.
 */
export function applyStatusAction(
  current: LicenceState,
  action: StatusAction,
  options: { validTo?: string } = {},
): { next: LicenceState; changed: boolean } {
  if (current.status === 'revoked') {
    if (action === 'revoke') return { next: current, changed: false };
    throw new LicenceRevokedError(
      `the licence is revoked; revocation is final and it cannot be ${pastTense[action]}`,
    );
  }
  switch (action) {
    case 'suspend':
      return current.status === 'suspended'
        ? { next: current, changed: false }
        : { next: { ...current, status: 'suspended' }, changed: true };
    case 'reinstate':
      return current.status === 'active'
        ? { next: current, changed: false }
        : { next: { ...current, status: 'active' }, changed: true };
    case 'revoke':
      return { next: { ...current, status: 'revoked' }, changed: true };
    case 'renew':
      return renew(current, options.validTo);
  }
}

const pastTense: Record<StatusAction, string> = {
  suspend: 'suspended',
  reinstate: 'reinstated',
  revoke: 'revoked',
  renew: 'renewed',
};

function renew(current: LicenceState, validTo: string | undefined): { next: LicenceState; changed: boolean } {
  if (validTo === undefined) throw new LicenceRenewalError('a renewal needs the new validTo');
  if (current.validTo === undefined) {
    throw new LicenceRenewalError('the licence has no expiry (长期); there is nothing to renew');
  }
  if (validTo === current.validTo) return { next: current, changed: false };
  if (validTo < current.validTo) {
    throw new LicenceRenewalError(
      `validTo ${validTo} is before the current validTo ${current.validTo}; a renewal extends validity`,
    );
  }
  return { next: { ...current, validTo }, changed: true };
}

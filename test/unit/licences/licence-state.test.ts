import { describe, expect, it } from 'vitest';
import { LicenceRenewalError, LicenceRevokedError } from '#lib/licences/licence-errors.ts';
import {
  applyStatusAction,
  type LicenceState,
  standingAt,
  validityEnd,
  validityStart,
} from '#lib/licences/licence-state.ts';

const active: LicenceState = { version: 1, status: 'active', validFrom: '2026-03-01', validTo: '2026-12-31' };

describe('licence validity (calendar days in China Standard Time)', () => {
  it('starts at 00:00 +08:00 of validFrom', () => {
    expect(validityStart('2026-03-01')).toBe(Date.parse('2026-02-28T16:00:00Z'));
    expect(standingAt(active, new Date('2026-02-28T15:59:59.999Z'))).toBe('not-yet-valid');
    expect(standingAt(active, new Date('2026-02-28T16:00:00.000Z'))).toBe('valid');
  });

  it('includes the whole last day: valid until 24:00 +08:00 of validTo', () => {
    expect(validityEnd('2026-12-31')).toBe(Date.parse('2026-12-31T16:00:00Z'));
    expect(standingAt(active, new Date('2026-12-31T15:59:59.999Z'))).toBe('valid');
    expect(standingAt(active, new Date('2026-12-31T16:00:00.000Z'))).toBe('expired');
  });

  it('never expires without validTo (长期)', () => {
    const { validTo: _none, ...longTerm } = active;
    expect(validityEnd(undefined)).toBe(Number.POSITIVE_INFINITY);
    expect(standingAt(longTerm, new Date('2099-01-01T00:00:00Z'))).toBe('valid');
  });

  it('lets status outrank dates', () => {
    const late = new Date('2030-01-01T00:00:00Z');
    expect(standingAt({ ...active, status: 'revoked' }, late)).toBe('revoked');
    expect(standingAt({ ...active, status: 'suspended' }, new Date('2020-01-01T00:00:00Z'))).toBe(
      'suspended',
    );
  });
});

describe('status actions', () => {
  it('suspends and reinstates, and treats a repeat as no change', () => {
    const suspended = applyStatusAction(active, 'suspend');
    expect(suspended).toEqual({ next: { ...active, status: 'suspended' }, changed: true });
    expect(applyStatusAction(suspended.next, 'suspend').changed).toBe(false);
    expect(applyStatusAction(suspended.next, 'reinstate')).toEqual({ next: active, changed: true });
    expect(applyStatusAction(active, 'reinstate').changed).toBe(false);
  });

  it('revokes from active or suspended', () => {
    expect(applyStatusAction(active, 'revoke').next.status).toBe('revoked');
    expect(applyStatusAction({ ...active, status: 'suspended' }, 'revoke').next.status).toBe('revoked');
  });

  it('makes revocation final: only a repeated revoke is accepted, as no change', () => {
    const revoked: LicenceState = { ...active, status: 'revoked' };
    expect(applyStatusAction(revoked, 'revoke').changed).toBe(false);
    for (const action of ['suspend', 'reinstate', 'renew'] as const) {
      expect(() => applyStatusAction(revoked, action, { validTo: '2030-01-01' })).toThrow(
        LicenceRevokedError,
      );
    }
  });

  it('renews by extending validTo, keeps the status, and refuses to shorten', () => {
    expect(applyStatusAction(active, 'renew', { validTo: '2031-12-31' })).toEqual({
      next: { ...active, validTo: '2031-12-31' },
      changed: true,
    });
    expect(
      applyStatusAction({ ...active, status: 'suspended' }, 'renew', { validTo: '2031-12-31' }).next.status,
    ).toBe('suspended');
    expect(applyStatusAction(active, 'renew', { validTo: '2026-12-31' }).changed).toBe(false);
    expect(() => applyStatusAction(active, 'renew', { validTo: '2026-06-30' })).toThrow(LicenceRenewalError);
    expect(() => applyStatusAction(active, 'renew')).toThrow(LicenceRenewalError);
    const { validTo: _none, ...longTerm } = active;
    expect(() => applyStatusAction(longTerm, 'renew', { validTo: '2031-12-31' })).toThrow(
      LicenceRenewalError,
    );
  });
});

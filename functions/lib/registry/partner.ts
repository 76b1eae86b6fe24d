import type { JWK } from 'jose';
import type { IssuingKey } from '#lib/credentials/issuing-keys.ts';
import type { PartnerAlgorithm } from '#lib/signing/protocol.ts';

/** What a partner may do at the hub. A route admits a set of roles; a partner holds one or more. */
export const ROLES = [
  'province',
  'credential-issuer',
  'lock-operator',
  'municipal-platform',
  'verifier',
] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (ROLES as readonly string[]).includes(value);

export type PartnerStatus = 'active' | 'suspended';

/**
 * One key a partner signs API calls with. Several can be live at once so a partner can rotate
 * without downtime: publish the new key with a `notBefore`, switch signing, then set `notAfter`
 * on the old one.
 */
export interface PartnerKey {
  kid: string;
  alg: PartnerAlgorithm;
  /** Public JWK only; the registry refuses private members. */
  jwk: JWK;
  /** ISO 8601 instant from which signatures with this key are accepted. */
  notBefore: string;
  /** ISO 8601 instant from which they no longer are; absent = until rotated out. */
  notAfter?: string;
}

/** A partner as the trust registry holds it. */
export interface Partner {
  partnerId: string;
  name: string;
  roles: Role[];
  status: PartnerStatus;
  /** Why the partner was last suspended or reinstated (audit trail for operators). */
  statusReason?: string;
  /** HTTPS base URL the hub calls back (signed) for this partner; absent = no callbacks. */
  endpoint?: string;
  apiKeys: PartnerKey[];
  /**
   * GB/T 2260 code of the partner's jurisdiction (`310000` for a provincial department, `320500`
   * for a city's…). Required for credential issuers: a licence they publish must be issued within
   * it (functions/lib/licences/jurisdiction.ts). Optional in the type because partners registered
   * before it existed lack it until an operator sets it (`hub-admin set-division`).
   */
  divisionCode?: string;
  /** Keys this partner signs credentials (passes, licences) with; only for credential issuers. */
  issuingKeys?: IssuingKey[];
  /** Optimistic-lock counter: every update is conditional on the version it read. */
  version: number;
  updatedAt: string;
}

/** Where a key stands relative to `at`. */
export type KeyWindowState = 'valid' | 'not-yet-valid' | 'expired';

export function keyWindowState(key: Pick<PartnerKey, 'notBefore' | 'notAfter'>, at: Date): KeyWindowState {
  if (at.getTime() < Date.parse(key.notBefore)) return 'not-yet-valid';
  if (key.notAfter !== undefined && at.getTime() >= Date.parse(key.notAfter)) return 'expired';
  return 'valid';
}

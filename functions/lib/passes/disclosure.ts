import type { CheckpointKind, PassClaims, PassType } from '#lib/passes/pass-claims.ts';
import type { Role } from '#lib/registry/partner.ts';

/**
 * Data minimisation for pass verification: which claims of an accepted pass the hub returns to a
 * caller, by the caller's role. Everything a role is not listed for stays with the hub.
 *
 * - Every verifying role gets what it needs to act on the decision: the issuer, the pass type,
 *   the scope, the regions and the validity (`iat`, `nbf`, `exp`).
 * - `verifier` (checkpoints, provinces' inspection systems) also gets the holder's display claims,
 *   so the officer can match the pass to the person, vehicle or vessel in front of them.
 * - `lock-operator` gets only a vessel's name and ship id: a lock admits vessels, never needs a
 *   person's masked name or ID digits, nor a vehicle's plate.
 * - Nobody gets `sub`, `jti` or `status.idx`: they identify or link the holder across passes and
 *   no checkpoint needs them; the receipt binds the decision to the pass by hash instead.
 *
 * The pass itself is signed, not encrypted, so whoever scans it can read it: this policy governs
 * what the hub vouches for and hands to verifiers' systems (which store and log it), and the claims
 * schema keeps what a pass can carry at display grade.
 */
export const HOLDER_FIELDS = ['name', 'idLast4', 'plate', 'shipName', 'shipId'] as const;
export type HolderField = (typeof HOLDER_FIELDS)[number];

export const PASS_HOLDER_DISCLOSURE = {
  verifier: ['name', 'idLast4', 'plate', 'shipName', 'shipId'],
  'lock-operator': ['shipName', 'shipId'],
} as const satisfies Partial<Record<Role, readonly HolderField[]>>;

/** Roles that may verify passes: exactly those with a disclosure policy. */
export type PassVerifierRole = keyof typeof PASS_HOLDER_DISCLOSURE;
export const PASS_VERIFIER_ROLES = Object.keys(PASS_HOLDER_DISCLOSURE) as PassVerifierRole[];

export interface DisclosedPassClaims {
  iss: string;
  passType: PassType;
  scope: CheckpointKind[];
  regions?: string[];
  iat: number;
  nbf: number;
  exp: number;
  holder?: Partial<Record<HolderField, string>>;
}

/** The claims `roles` may see; with several verifying roles, the union of what each may see. */
export function disclosePass(claims: PassClaims, roles: readonly Role[]): DisclosedPassClaims {
  const fields = new Set<HolderField>();
  for (const role of roles) {
    if (role in PASS_HOLDER_DISCLOSURE) {
      for (const field of PASS_HOLDER_DISCLOSURE[role as PassVerifierRole]) fields.add(field);
    }
  }
  const source = claims.holder as Partial<Record<HolderField, string>>;
  const holder: Partial<Record<HolderField, string>> = {};
  for (const field of HOLDER_FIELDS) {
    const value = source[field];
    if (fields.has(field) && typeof value === 'string') holder[field] = value;
  }
  return {
    iss: claims.iss,
    passType: claims.passType,
    scope: [...claims.scope],
    ...(claims.regions === undefined ? {} : { regions: [...claims.regions] }),
    iat: claims.iat,
    nbf: claims.nbf,
    exp: claims.exp,
    ...(Object.keys(holder).length === 0 ? {} : { holder }),
  };
}

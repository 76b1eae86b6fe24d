import type { JWK } from 'jose';
import { ConflictError, NotFoundError } from '#lib/errors.ts';
import { isValidDivisionCode } from '#lib/identifiers/division-code.ts';
import { isRole, keyWindowState, type Partner, type PartnerKey, type Role } from '#lib/registry/partner.ts';
import { toPartnerKey } from '#lib/registry/partner-keys.ts';
import type { RegistryStore } from '#lib/registry/registry-store.ts';
import { HUB_ISSUER, PARTNER_ID_PATTERN } from '#lib/signing/protocol.ts';

/**
 * Operator actions on the trust registry (the `hub-admin` command calls these). Each is one
 * conditional write; a change reaches every warm function within the registry cache time.
 */
export class PartnerAdminError extends Error {
  override readonly name = 'PartnerAdminError';
}

export interface RegisterPartnerInput {
  partnerId: string;
  name: string;
  roles: string[];
  /**
   * GB/T 2260 code of the partner's jurisdiction (`320000` 江苏省, `320500` 苏州市…); required for a
   * credential issuer, whose licences must be issued within it.
   */
  divisionCode?: string;
  endpoint?: string;
  keys: JWK[];
  notBefore?: string;
}

export async function registerPartner(
  store: Pick<RegistryStore, 'create'>,
  input: RegisterPartnerInput,
  now = new Date(),
): Promise<Partner> {
  if (!PARTNER_ID_PATTERN.test(input.partnerId)) {
    throw new PartnerAdminError(
      `partner id "${input.partnerId}" must be 3–40 lowercase letters, digits and hyphens`,
    );
  }
  if (input.partnerId === HUB_ISSUER)
    throw new PartnerAdminError(`"${HUB_ISSUER}" is the hub's own issuer id`);
  if (input.name.trim().length === 0 || input.name.length > 200) {
    // Names are shown in trust lists and licence views, whose schemas bound them.
    throw new PartnerAdminError('partner name must be 1–200 characters');
  }
  const roles = checkRoles(input.roles);
  if (input.divisionCode !== undefined) checkDivision(input.divisionCode);
  else if (roles.includes('credential-issuer')) {
    throw new PartnerAdminError(
      'a credential issuer needs its jurisdiction: give its GB/T 2260 division code (--division 320000)',
    );
  }
  if (input.keys.length === 0) throw new PartnerAdminError('register at least one public key');
  const window = { notBefore: input.notBefore ?? now.toISOString() };
  const apiKeys = await Promise.all(input.keys.map((jwk) => toPartnerKey(jwk, window)));
  assertDistinctKids(apiKeys);
  return store.create(
    {
      partnerId: input.partnerId,
      name: input.name,
      roles,
      ...(input.divisionCode === undefined ? {} : { divisionCode: input.divisionCode }),
      status: 'active',
      ...(input.endpoint === undefined ? {} : { endpoint: checkEndpoint(input.endpoint) }),
      apiKeys,
    },
    now,
  );
}

/** Publishes a further key (rotation step 1); the partner may sign with it from `notBefore`. */
export async function addPartnerKey(
  store: RegistryStore,
  partnerId: string,
  jwk: JWK,
  window: { notBefore: string; notAfter?: string },
): Promise<Partner> {
  const key = await toPartnerKey(jwk, window);
  return store.update(partnerId, (partner) => {
    if (partner.apiKeys.some((existing) => existing.kid === key.kid)) {
      throw new ConflictError(`partner ${partnerId} already has a key with kid "${key.kid}"`);
    }
    return { ...partner, apiKeys: [...partner.apiKeys, key] };
  });
}

/** Ends a key's validity at `at` (rotation step 2); signatures with it fail from then on. */
export async function retirePartnerKey(
  store: RegistryStore,
  partnerId: string,
  kid: string,
  at: Date,
): Promise<Partner> {
  return store.update(partnerId, (partner) => {
    const key = partner.apiKeys.find((candidate) => candidate.kid === kid);
    if (!key) throw new NotFoundError(`partner ${partnerId} has no key "${kid}"`);
    const others = partner.apiKeys.filter(
      (candidate) => candidate.kid !== kid && keyStillUsable(candidate, at),
    );
    if (others.length === 0) {
      throw new PartnerAdminError(
        `retiring "${kid}" would leave ${partnerId} without a usable key: add the new key first`,
      );
    }
    return {
      ...partner,
      apiKeys: partner.apiKeys.map((candidate) =>
        candidate.kid === kid ? { ...candidate, notAfter: at.toISOString() } : candidate,
      ),
    };
  });
}

export async function setPartnerStatus(
  store: RegistryStore,
  partnerId: string,
  status: Partner['status'],
  reason: string,
): Promise<Partner> {
  if (reason.trim().length === 0)
    throw new PartnerAdminError('give a reason: it is kept for the audit trail');
  return store.update(partnerId, (partner) => ({ ...partner, status, statusReason: reason }));
}

export async function setPartnerEndpoint(
  store: RegistryStore,
  partnerId: string,
  endpoint: string,
): Promise<Partner> {
  const checked = checkEndpoint(endpoint);
  return store.update(partnerId, (partner) => ({ ...partner, endpoint: checked }));
}

/** Valid at `at` (not merely not yet retired): the partner must be able to sign at that moment. */
/**
 * Sets a partner's jurisdiction (GB/T 2260 code): for a credential issuer registered before the
 * registry held one, or one whose remit changed. Takes effect within the registry cache time, for
 * publication and verification alike.
 */
export async function setPartnerDivision(
  store: Pick<RegistryStore, 'update'>,
  partnerId: string,
  divisionCode: string,
): Promise<Partner> {
  checkDivision(divisionCode);
  return store.update(partnerId, (partner) => ({ ...partner, divisionCode }));
}

function checkDivision(divisionCode: string): void {
  if (!isValidDivisionCode(divisionCode)) {
    throw new PartnerAdminError(
      `division "${divisionCode.slice(0, 20)}" is not a GB/T 2260 code (6 digits, e.g. 320000 or 320500)`,
    );
  }
}

function keyStillUsable(key: PartnerKey, at: Date): boolean {
  return keyWindowState(key, at) === 'valid';
}

function checkRoles(roles: string[]): Role[] {
  if (roles.length === 0) throw new PartnerAdminError('give the partner at least one role');
  for (const role of roles) {
    if (!isRole(role)) throw new PartnerAdminError(`unknown role "${role}"`);
  }
  return [...new Set(roles)] as Role[];
}

function assertDistinctKids(keys: PartnerKey[]): void {
  const kids = keys.map((key) => key.kid);
  if (new Set(kids).size !== kids.length) throw new PartnerAdminError('two keys share a kid');
}

/** Callback endpoints must be HTTPS; plain HTTP only to loopback, for the local runner. */
function checkEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new PartnerAdminError(`endpoint "${endpoint}" is not a URL`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new PartnerAdminError('endpoint must use https (http is allowed only for loopback)');
  }
  return url.toString();
}

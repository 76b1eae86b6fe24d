import { importJWK, type JWK } from 'jose';
import {
  InvalidIssuingKeyError,
  type IssuingKey,
  issuingAlgorithmFor,
  toIssuingKey,
} from '#lib/credentials/issuing-keys.ts';
import { SM2_JWS_ALG } from '#lib/crypto/sm2-jws.ts';
import { type FieldError, ForbiddenError, HubError, NotFoundError, ValidationError } from '#lib/errors.ts';
import type { Partner } from '#lib/registry/partner.ts';
import type { RegistryWrite } from '#lib/registry/registry-store.ts';
import { canonicalJson, isCredentialIssuer, type TrustListHead } from '#lib/registry/trust-list-log.ts';

/**
 * A credential issuer's issuing key set, replaced as a whole (`PUT /v1/issuers/{id}/keys`).
 *
 * The rules protect credentials already in circulation:
 * - a key that is valid now may be retired (`notAfter` at or after now) but not removed, cut short
 *   to a past instant, moved, or swapped for other key material under the same kid: passes and
 *   licences it signed stay verifiable until its `notAfter`, as the issuer promised when it signed;
 * - a key listed in `compromised` is removed at once, whatever its window: whoever holds the stolen
 *   private key could sign new credentials, so everything it signed must stop verifying now;
 * - an expired key, or one not valid yet (nothing can have been accepted under it), may be dropped.
 */
export interface SubmittedIssuingKey {
  jwk: JWK;
  notBefore: string;
  notAfter?: string;
  sm2UserId?: string;
}

export interface IssuingKeySetRequest {
  keys: SubmittedIssuingKey[];
  compromised?: string[];
}

export interface IssuingKeySetResult {
  issuerId: string;
  keys: IssuingKey[];
  /** false when the submitted set equals the stored one: nothing was written. */
  changed: boolean;
  trustListVersion: number;
}

/** 403: a credential issuer tried to change another issuer's keys. */
export class IssuerMismatchError extends HubError {
  readonly status = 403;
  readonly code = 'issuer-mismatch';
  readonly title = 'Only an issuer may change its own issuing keys';
}

/** 409: the new set would break credentials already issued (see the rules above). */
export class IssuingKeyChangeRefusedError extends HubError {
  readonly status = 409;
  readonly code = 'issuing-key-change-refused';
  readonly title = 'Issuing key change refused';
  readonly errors: FieldError[];

  constructor(message: string, errors: FieldError[]) {
    super(message, { extensions: { errors } });
    this.errors = errors;
  }
}

/** The registry as this use case needs it (`RegistryStore`). */
export interface IssuingKeyRegistry {
  get(partnerId: string): Promise<Partner | undefined>;
  updateWithTrustList(
    partnerId: string,
    change: (current: Partner) => Omit<Partner, 'version' | 'updatedAt'>,
    now?: Date,
  ): Promise<RegistryWrite>;
  readonly trustList: { head(): Promise<TrustListHead> };
}

/**
 * Validates each submitted key (public JWK of a supported curve that imports, coherent window,
 * `sm2UserId` only on SM2 keys, distinct kids); failures are field errors with pointers.
 */
export async function toIssuingKeys(request: IssuingKeySetRequest): Promise<IssuingKey[]> {
  const errors: FieldError[] = [];
  const keys: IssuingKey[] = [];
  for (const [index, submitted] of request.keys.entries()) {
    const at = `/keys/${index}`;
    const key = await toCheckedKey(submitted, at, errors);
    if (key) keys.push(key);
  }
  const seen = new Map<string, number>();
  for (const [index, key] of keys.entries()) {
    const first = seen.get(key.kid);
    if (first !== undefined) {
      errors.push({
        pointer: request.keys[index]?.jwk.kid === undefined ? `/keys/${index}/jwk` : `/keys/${index}/jwk/kid`,
        detail: `kid "${key.kid}" is also used by /keys/${first}`,
      });
    }
    seen.set(key.kid, index);
  }
  for (const [index, kid] of (request.compromised ?? []).entries()) {
    if (seen.has(kid)) {
      errors.push({
        pointer: `/compromised/${index}`,
        detail: `"${kid}" is both listed as compromised and submitted in keys: drop it from keys`,
      });
    }
  }
  if (errors.length > 0) throw new ValidationError('the issuing key set is invalid', errors);
  return keys;
}

async function toCheckedKey(
  submitted: SubmittedIssuingKey,
  at: string,
  errors: FieldError[],
): Promise<IssuingKey | undefined> {
  const { jwk } = submitted;
  let alg: ReturnType<typeof issuingAlgorithmFor>;
  try {
    alg = issuingAlgorithmFor(jwk);
  } catch (error) {
    if (!(error instanceof InvalidIssuingKeyError)) throw error;
    errors.push({ pointer: `${at}/jwk`, detail: error.message });
    return undefined;
  }
  if (submitted.sm2UserId !== undefined && alg !== SM2_JWS_ALG) {
    errors.push({ pointer: `${at}/sm2UserId`, detail: 'only SM2 keys take a signer distinguishing ID' });
    return undefined;
  }
  if (alg === 'EdDSA' && jwk.y !== undefined) {
    errors.push({ pointer: `${at}/jwk/y`, detail: 'an Ed25519 key has no y coordinate' });
    return undefined;
  }
  if (alg !== 'EdDSA' && jwk.y === undefined) {
    errors.push({ pointer: `${at}/jwk`, detail: `an EC ${String(jwk.crv)} key needs its y coordinate` });
    return undefined;
  }
  if (
    submitted.notAfter !== undefined &&
    !(Date.parse(submitted.notAfter) > Date.parse(submitted.notBefore))
  ) {
    errors.push({ pointer: `${at}/notAfter`, detail: 'must be later than notBefore' });
    return undefined;
  }
  let key: IssuingKey;
  try {
    key = await toIssuingKey(
      { ...jwk, ...(submitted.sm2UserId === undefined ? {} : { sm2UserId: submitted.sm2UserId }) },
      {
        notBefore: submitted.notBefore,
        ...(submitted.notAfter === undefined ? {} : { notAfter: submitted.notAfter }),
      },
    );
  } catch (error) {
    if (!(error instanceof InvalidIssuingKeyError)) throw error;
    errors.push({ pointer: `${at}/jwk`, detail: error.message });
    return undefined;
  }
  if (alg !== SM2_JWS_ALG) {
    try {
      // Node checks the point: a P-256 x/y off the curve or a malformed Ed25519 key fails here,
      // at publication, rather than as "signature-invalid" on every credential later.
      await importJWK(key.jwk, alg);
    } catch {
      errors.push({ pointer: `${at}/jwk`, detail: `not a valid ${alg} public key` });
      return undefined;
    }
  }
  return key;
}

/** The key material and binding a kid stands for; it may never change under the same kid. */
const identity = (key: IssuingKey) =>
  canonicalJson({
    alg: key.alg,
    kty: key.jwk.kty,
    crv: key.jwk.crv,
    x: key.jwk.x,
    y: key.jwk.y,
    sm2UserId: key.sm2UserId,
  });

const byKid = (keys: readonly IssuingKey[]) =>
  canonicalJson([...keys].sort((a, b) => (a.kid < b.kid ? -1 : 1)));

/**
 * Applies the rules of this module to go from `current` to `submitted`. Returns the set to store
 * and whether it differs from `current` (order aside); throws `IssuingKeyChangeRefusedError` with
 * one pointer per broken rule.
 */
export function planIssuingKeySet(
  current: readonly IssuingKey[],
  submitted: readonly IssuingKey[],
  compromised: readonly string[],
  now: Date,
): { keys: IssuingKey[]; changed: boolean } {
  const errors: FieldError[] = [];
  const nowMs = now.getTime();
  const submittedAt = new Map(submitted.map((key, index) => [key.kid, { key, index }]));
  const currentKids = new Set(current.map((key) => key.kid));

  for (const old of current) {
    if (compromised.includes(old.kid)) continue;
    const expired = old.notAfter !== undefined && Date.parse(old.notAfter) <= nowMs;
    const started = Date.parse(old.notBefore) <= nowMs;
    const next = submittedAt.get(old.kid);
    if (!next) {
      if (!expired && started) {
        errors.push({
          pointer: '/keys',
          detail: `key "${old.kid}" is valid ${old.notAfter ? `until ${old.notAfter}` : 'with no end'} and is missing: keep it (set notAfter to retire it), or list it in compromised to revoke it now`,
        });
      }
      continue;
    }
    const at = `/keys/${next.index}`;
    if (identity(old) !== identity(next.key)) {
      errors.push({
        pointer: `${at}/jwk`,
        detail: `kid "${old.kid}" already names another key (or another signer ID): publish a new key under a new kid`,
      });
      continue;
    }
    if (started && next.key.notBefore !== old.notBefore) {
      errors.push({
        pointer: `${at}/notBefore`,
        detail: `key "${old.kid}" has been valid since ${old.notBefore}; that cannot change`,
      });
    }
    if (expired) {
      if (next.key.notAfter !== old.notAfter) {
        errors.push({
          pointer: `${at}/notAfter`,
          detail: `key "${old.kid}" expired at ${old.notAfter}; an expired key cannot be revived, publish a new one`,
        });
      }
    } else if (next.key.notAfter !== undefined && Date.parse(next.key.notAfter) < nowMs) {
      errors.push({
        pointer: `${at}/notAfter`,
        detail: `retiring "${old.kid}" in the past would invalidate credentials already issued: retire it at or after now, or list it in compromised`,
      });
    }
  }
  for (const { key, index } of submittedAt.values()) {
    if (currentKids.has(key.kid)) continue;
    if (key.notAfter !== undefined && Date.parse(key.notAfter) <= nowMs) {
      errors.push({ pointer: `/keys/${index}/notAfter`, detail: `a new key cannot already have expired` });
    }
  }
  if (errors.length > 0) {
    throw new IssuingKeyChangeRefusedError('the new key set would break credentials already issued', errors);
  }
  const keys = [...submitted];
  return { keys, changed: byKid(keys) !== byKid(current) };
}

/**
 * Replaces `issuerId`'s issuing keys with `request` (validated, then planned against the stored
 * set inside the registry's conditional update, so a concurrent change cannot slip between).
 * A change bumps the trust-list version in the same transaction; an identical set writes nothing.
 */
export async function publishIssuingKeys(
  registry: IssuingKeyRegistry,
  issuerId: string,
  request: IssuingKeySetRequest,
  now = new Date(),
): Promise<IssuingKeySetResult> {
  const submitted = await toIssuingKeys(request);
  const compromised = request.compromised ?? [];
  const issuer = await registry.get(issuerId);
  if (!issuer) throw new NotFoundError(`partner ${issuerId} is not registered`);
  if (!isCredentialIssuer(issuer)) {
    throw new ForbiddenError('role-forbidden', `${issuerId} does not hold the credential-issuer role`);
  }
  const planned = planIssuingKeySet(issuer.issuingKeys ?? [], submitted, compromised, now);
  if (!planned.changed) {
    return {
      issuerId,
      keys: issuer.issuingKeys ?? [],
      changed: false,
      trustListVersion: (await registry.trustList.head()).version,
    };
  }
  const write = await registry.updateWithTrustList(
    issuerId,
    (current) => ({
      ...current,
      issuingKeys: planIssuingKeySet(current.issuingKeys ?? [], submitted, compromised, now).keys,
    }),
    now,
  );
  return {
    issuerId,
    keys: write.partner.issuingKeys ?? [],
    changed: true,
    trustListVersion: write.trustListVersion ?? (await registry.trustList.head()).version,
  };
}

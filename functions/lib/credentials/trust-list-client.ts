import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { CredentialAlgorithm, IssuingKey } from '#lib/credentials/issuing-keys.ts';
import {
  TRUST_LIST_DELTA_TYP,
  TRUST_LIST_TYP,
  type TrustListDeltaPayload,
  type TrustListIssuer,
  type TrustListPayload,
} from '#lib/credentials/trust-list.ts';
import type { Partner } from '#lib/registry/partner.ts';
import type { PartnerDirectory } from '#lib/registry/registry-store.ts';
import { HUB_ISSUER } from '#lib/signing/protocol.ts';
import { compileSchema } from '#lib/validation.ts';
import trustListSchema from '#schemas/trust-list/v1.json' with { type: 'json' };
import trustListDeltaSchema from '#schemas/trust-list-delta/v1.json' with { type: 'json' };

/**
 * The verifier's side of the trust list, for offline checkpoints, partners' tools and tests:
 * check a trust list (or delta) against the hub's JWKS, apply deltas, and turn the list into the
 * `PartnerDirectory` that `CredentialVerifier` takes, so a checkpoint verifies credentials with
 * exactly the checks the hub makes, without calling it.
 */
export class TrustListRejectedError extends Error {
  override readonly name = 'TrustListRejectedError';
}

const fullContract = compileSchema<TrustListPayload>(trustListSchema);
const deltaContract = compileSchema<TrustListDeltaPayload>(trustListDeltaSchema);

async function verifyDocument<T>(
  jws: string,
  hubJwks: JSONWebKeySet,
  typ: string,
  contract: { check(value: unknown): unknown[]; is(value: unknown): value is T },
): Promise<T> {
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(jws, createLocalJWKSet(hubJwks), { algorithms: ['ES256'] });
  } catch (cause) {
    throw new TrustListRejectedError('trust list signature does not verify against the hub JWKS', { cause });
  }
  if (verified.protectedHeader.typ !== typ) throw new TrustListRejectedError(`typ must be "${typ}"`);
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(verified.payload));
  } catch (cause) {
    throw new TrustListRejectedError('trust list payload is not JSON', { cause });
  }
  if (!contract.is(payload)) {
    throw new TrustListRejectedError(
      `trust list payload is invalid: ${JSON.stringify(contract.check(payload))}`,
    );
  }
  return payload;
}

/** Verifies a full trust list (`typ` delta-hub-trust-list+jwt) signed by the hub. */
export function verifyTrustList(jws: string, hubJwks: JSONWebKeySet): Promise<TrustListPayload> {
  return verifyDocument(jws, hubJwks, TRUST_LIST_TYP, fullContract);
}

/** Verifies a trust-list delta (`typ` delta-hub-trust-list-delta+jwt) signed by the hub. */
export function verifyTrustListDelta(jws: string, hubJwks: JSONWebKeySet): Promise<TrustListDeltaPayload> {
  return verifyDocument(jws, hubJwks, TRUST_LIST_DELTA_TYP, deltaContract);
}

/**
 * The list a verifier holds after applying `delta` to `list`. Refuses a delta that does not start
 * at the list's version (fetch the full list instead) or is not newer.
 */
export function applyTrustListDelta(list: TrustListPayload, delta: TrustListDeltaPayload): TrustListPayload {
  if (delta.since !== list.version) {
    throw new TrustListRejectedError(`delta starts at ${delta.since}, the list held is ${list.version}`);
  }
  if (delta.iss !== HUB_ISSUER) throw new TrustListRejectedError('delta not issued by the hub');
  const issuers = new Map<string, TrustListIssuer>(list.issuers.map((issuer) => [issuer.issuerId, issuer]));
  for (const change of delta.changes) {
    if (change.status === 'removed') issuers.delete(change.issuerId);
    else issuers.set(change.issuerId, change);
  }
  return {
    iss: list.iss,
    version: delta.version,
    iat: delta.iat,
    nextUpdate: delta.nextUpdate,
    issuers: [...issuers.values()].sort((a, b) => (a.issuerId < b.issuerId ? -1 : 1)),
  };
}

const isoOf = (numericDate: number): string => new Date(numericDate * 1000).toISOString();

/**
 * The trust list as a `PartnerDirectory` of credential issuers, for `CredentialVerifier` offline:
 * an issuer's status, keys (by kid) and key windows come from the list.
 */
export function trustListDirectory(list: TrustListPayload): PartnerDirectory {
  const partners = new Map<string, Partner>(
    list.issuers.map((issuer) => [
      issuer.issuerId,
      {
        partnerId: issuer.issuerId,
        name: issuer.name ?? issuer.issuerId,
        roles: ['credential-issuer'],
        status: issuer.status === 'active' ? 'active' : 'suspended',
        apiKeys: [],
        issuingKeys: issuer.keys.map(
          ({ nbf, exp, sm2UserId, ...jwk }): IssuingKey => ({
            kid: jwk.kid,
            alg: jwk.alg as CredentialAlgorithm,
            jwk,
            notBefore: isoOf(nbf),
            ...(exp === undefined ? {} : { notAfter: isoOf(exp) }),
            ...(sm2UserId === undefined ? {} : { sm2UserId }),
          }),
        ),
        version: list.version,
        updatedAt: isoOf(list.iat),
      },
    ]),
  );
  return { get: async (partnerId) => partners.get(partnerId) };
}

import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { type PartnerSpec, partners } from '#infra/partners.ts';
import { credentialSigner } from '#lib/credentials/credential-signer.ts';
import { publishIssuingKeys } from '#lib/credentials/issuing-key-set.ts';
import { registerPartner, setPartnerDivision } from '#lib/registry/partner-admin.ts';
import type { RegistryStore } from '#lib/registry/registry-store.ts';
import { localKeySigner } from '#lib/signing/local-key-signer.ts';
import type { Signer } from '#lib/signing/signer.ts';

/** The published test key of a demo partner (infra/local/demo-keys, never for deployment). */
export function demoPrivateJwk(partnerId: string): JWK {
  return JSON.parse(
    readFileSync(new URL(`./demo-keys/${partnerId}.private.jwk.json`, import.meta.url), 'utf8'),
  ) as JWK;
}

export const demoSigner = (partnerId: string): Promise<Signer> => localKeySigner(demoPrivateJwk(partnerId));

/** Demo credential issuers and their published TEST issuing keys (one algorithm each). */
export const DEMO_ISSUERS = ['sh-jtw', 'js-jtt', 'zj-jtt', 'ah-jtt'] as const;
/** From when the demo issuing keys are valid, as registered. */
export const DEMO_ISSUING_NOT_BEFORE = '2026-01-01T00:00:00Z';

/**
 * The private issuing key of a demo issuer (`<id>.issuing.private.jwk.json`): ES256 for sh-jtw and
 * zj-jtt, EdDSA for js-jtt, SM2SM3 for ah-jtt. Separate from its API key, as in production.
 */
export function demoIssuingPrivateJwk(partnerId: string): JWK {
  return JSON.parse(
    readFileSync(new URL(`./demo-keys/${partnerId}.issuing.private.jwk.json`, import.meta.url), 'utf8'),
  ) as JWK;
}

/** The public half, as registered (kid, alg, use kept). */
export function demoIssuingPublicJwk(partnerId: string): JWK {
  const { d: _private, ...publicJwk } = demoIssuingPrivateJwk(partnerId);
  return publicJwk;
}

/**
 * Signs a credential as demo issuer `partnerId` with its registered issuing key: a compact JWS
 * whose header gets `alg` and `kid` (`header` supplies `typ` and anything else).
 *
 * @example
 * const pass = await signDemoCredential('ah-jtt', { typ: 'delta-pass+jwt' }, { iss: 'ah-jtt', … });
 */
export async function signDemoCredential(
  partnerId: string,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<string> {
  return (await credentialSigner(demoIssuingPrivateJwk(partnerId))).sign(header, payload);
}

/**
 * Registers every partner of infra/partners.ts with its demo key, as an operator would with
 * `hub-admin register` (jurisdiction included). Callback partners get `endpointFor(id)` as their
 * endpoint. A partner already registered without a jurisdiction (a registry from before partners
 * had one) gets it set, as an operator would with `hub-admin set-division`. Demo issuers then
 * publish their issuing key, as they would with `PUT /v1/issuers/{id}/keys`, unless they already
 * have issuing keys.
 */
export async function registerDemoPartners(
  store: RegistryStore,
  endpointFor: (partner: PartnerSpec) => string | undefined,
): Promise<void> {
  for (const partner of partners) {
    const existing = await store.get(partner.id);
    if (existing) {
      if (existing.divisionCode === undefined)
        await setPartnerDivision(store, partner.id, partner.divisionCode);
      continue;
    }
    const { d: _private, ...publicJwk } = demoPrivateJwk(partner.id);
    const endpoint = partner.callbacks ? endpointFor(partner) : undefined;
    await registerPartner(store, {
      partnerId: partner.id,
      name: partner.name,
      roles: partner.roles,
      divisionCode: partner.divisionCode,
      keys: [publicJwk],
      notBefore: '2026-01-01T00:00:00Z',
      ...(endpoint === undefined ? {} : { endpoint }),
    });
  }
  for (const issuerId of DEMO_ISSUERS) {
    const issuer = await store.get(issuerId);
    if (!issuer || (issuer.issuingKeys ?? []).length > 0) continue;
    await publishIssuingKeys(store, issuerId, {
      keys: [{ jwk: demoIssuingPublicJwk(issuerId), notBefore: DEMO_ISSUING_NOT_BEFORE }],
    });
  }
}

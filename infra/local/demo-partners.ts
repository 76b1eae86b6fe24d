import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { type PartnerSpec, partners } from '#infra/partners.ts';
import { registerPartner } from '#lib/registry/partner-admin.ts';
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

/**
 * Registers every partner of infra/partners.ts with its demo key, as an operator would with
 * `hub-admin register`. Callback partners get `endpointFor(id)` as their endpoint.
 */
export async function registerDemoPartners(
  store: RegistryStore,
  endpointFor: (partner: PartnerSpec) => string | undefined,
): Promise<void> {
  for (const partner of partners) {
    if (await store.get(partner.id)) continue;
    const { d: _private, ...publicJwk } = demoPrivateJwk(partner.id);
    const endpoint = partner.callbacks ? endpointFor(partner) : undefined;
    await registerPartner(store, {
      partnerId: partner.id,
      name: partner.name,
      roles: partner.roles,
      keys: [publicJwk],
      notBefore: '2026-01-01T00:00:00Z',
      ...(endpoint === undefined ? {} : { endpoint }),
    });
  }
}

import { integerEnv } from '#lib/config.ts';
import {
  parseTrustListQuery,
  type TrustListDocument,
  TrustListPublisher,
} from '#lib/credentials/trust-list.ts';
import { signedRoute } from '#lib/http/signed-route.ts';
import { hubSigner, registryStore } from '#lib/hub-runtime.ts';
import { ROLES } from '#lib/registry/partner.ts';
import { RegistryTrustListSource } from '#lib/registry/trust-list-log.ts';
import { compileSchema } from '#lib/validation.ts';
import trustListResponseSchema from '#schemas/trust-list-response/v1.json' with { type: 'json' };

/**
 * GET /v1/trust-list[?since=<version>]: the hub-signed list of credential issuers and their
 * issuing keys (docs/credentials.md, "Issuers and trust lists"). Any partner may read it.
 */

/** Seconds an instance reuses a built, signed list; a registry change shows within this. */
const cacheSeconds = integerEnv('TRUST_LIST_CACHE_SECONDS', 30, { min: 0, max: 60 });
/** The `nextUpdate` hint in the list: how often verifiers should poll. */
const refreshSeconds = integerEnv('TRUST_LIST_REFRESH_SECONDS', 300, { min: 60, max: 86_400 });

let publisher: TrustListPublisher | undefined;
const trustLists = (): TrustListPublisher => {
  publisher ??= new TrustListPublisher({
    // The registry itself (strongly consistent), not the cached partner directory.
    source: new RegistryTrustListSource(registryStore().trustList, registryStore()),
    signer: hubSigner,
    cacheMs: cacheSeconds * 1000,
    refreshSeconds,
  });
  return publisher;
};

export const handler = signedRoute(
  { roles: ROLES, response: compileSchema<TrustListDocument>(trustListResponseSchema) },
  async ({ event }) => {
    const { since } = parseTrustListQuery(event.rawQueryString);
    return {
      status: 200,
      body: since === undefined ? await trustLists().full() : await trustLists().delta(since),
    };
  },
);

import type { JWK } from 'jose';
import { documentClient, kmsClient } from '#lib/aws/clients.ts';
import { ConfigError, integerEnv, requireEnv } from '#lib/config.ts';
import { CachedStatusLists, StatusListStore } from '#lib/credentials/status-list-store.ts';
import { CachedDirectory } from '#lib/registry/cached-directory.ts';
import { RegistryStore } from '#lib/registry/registry-store.ts';
import { DynamoReplayGuard } from '#lib/replay/nonce-store.ts';
import { HUB_SIGNING_KEYS_ENV, tableEnvName } from '#lib/resource-env.ts';
import { kmsPublicJwk, kmsSigner } from '#lib/signing/kms-signer.ts';
import { RequestVerifier } from '#lib/signing/request-verifier.ts';
import type { Signer } from '#lib/signing/signer.ts';

/**
 * The pieces every hub function shares, each built on first use and then kept for the life of the
 * instance (one cold start). Lazy rather than eager so a function only needs the configuration
 * of the parts it actually uses.
 */
const once = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
      // A failed async build (KMS unreachable at cold start) must not poison the instance.
      if (value instanceof Promise) {
        value.catch(() => {
          built = false;
        });
      }
    }
    return value as T;
  };
};

/** Seconds a registry read is trusted; a suspension bites within this. At most 60 s by contract. */
export const registryCacheSeconds = once(() => integerEnv('REGISTRY_CACHE_SECONDS', 30, { min: 0, max: 60 }));
export const signatureWindowSeconds = once(() =>
  integerEnv('SIGNATURE_WINDOW_SECONDS', 300, { min: 30, max: 900 }),
);
/** Largest request body accepted, in bytes; checked before parsing or verifying. */
export const maxBodyBytes = once(() => integerEnv('MAX_BODY_BYTES', 65_536, { min: 1_024, max: 6_000_000 }));

export const registryStore = once(
  () => new RegistryStore(documentClient(), requireEnv(tableEnvName('registry'))),
);

export const partnerDirectory = once(
  () => new CachedDirectory(registryStore(), { ttlMs: registryCacheSeconds() * 1000 }),
);

export const requestVerifier = once(
  () =>
    new RequestVerifier({
      directory: partnerDirectory(),
      replayGuard: new DynamoReplayGuard(documentClient(), requireEnv(tableEnvName('nonces'))),
      windowSeconds: signatureWindowSeconds(),
    }),
);

/** Seconds a status list read is trusted by verifiers; a revocation bites within this. */
export const statusCacheSeconds = once(() => integerEnv('STATUS_CACHE_SECONDS', 30, { min: 0, max: 60 }));

export const statusListStore = once(
  () => new StatusListStore(documentClient(), requireEnv(tableEnvName('status-lists'))),
);

/** Status lists as verifiers read them: cached, so a warm verification reads no table. */
export const cachedStatusLists = once(
  () => new CachedStatusLists(statusListStore(), statusCacheSeconds() * 1000),
);

const hubKeyIds = once(() => {
  const ids = requireEnv(HUB_SIGNING_KEYS_ENV)
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new ConfigError(`${HUB_SIGNING_KEYS_ENV} must list at least one KMS key`);
  return ids;
});

/** Signs with the first configured key; the others stay published for verifiers during rotation. */
export const hubSigner = once((): Promise<Signer> => kmsSigner(kmsClient(), hubKeyIds()[0] as string));

/** All hub public keys, newest first, for `/.well-known/jwks.json`. */
export const hubPublicJwks = once(
  (): Promise<JWK[]> => Promise.all(hubKeyIds().map((id) => kmsPublicJwk(kmsClient(), id))),
);

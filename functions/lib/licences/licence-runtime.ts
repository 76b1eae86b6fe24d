import { documentClient } from '#lib/aws/clients.ts';
import { integerEnv, requireEnv } from '#lib/config.ts';
import { StatusListPublisher } from '#lib/credentials/status-list-token.ts';
import { hubSigner, partnerDirectory, statusCacheSeconds, statusListStore } from '#lib/hub-runtime.ts';
import { LicenceDocumentChecker } from '#lib/licences/licence-document.ts';
import { DynamoLicenceStore, type LicenceStore } from '#lib/licences/licence-store.ts';
import { tableEnvName } from '#lib/resource-env.ts';

/**
 * The licence functions' ports, built once per cold start (like hub-runtime.ts, whose registry
 * cache, status-list store and KMS signer they share).
 */
let store: LicenceStore | undefined;
let checker: LicenceDocumentChecker | undefined;
let publisher: StatusListPublisher | undefined;

export const licenceStore = (): LicenceStore => {
  store ??= new DynamoLicenceStore(documentClient(), requireEnv(tableEnvName('licences')));
  return store;
};

/** Keeps imported issuing keys for the life of the instance. */
export const licenceChecker = (): LicenceDocumentChecker => {
  checker ??= new LicenceDocumentChecker(partnerDirectory());
  return checker;
};

/** Seconds a published status list may be used offline after issue (`validUntil`). Default one day. */
export const statusListValiditySeconds = (): number =>
  integerEnv('STATUS_LIST_VALIDITY_SECONDS', 86_400, { min: 300, max: 7 * 86_400 });

/** Signed status lists, cached per instance for STATUS_CACHE_SECONDS (≤ 60 s). */
export const statusListPublisher = (): StatusListPublisher => {
  publisher ??= new StatusListPublisher({
    lists: statusListStore(),
    signer: hubSigner,
    ttlMs: statusCacheSeconds() * 1000,
    validityMs: statusListValiditySeconds() * 1000,
  });
  return publisher;
};

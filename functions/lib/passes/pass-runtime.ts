import { CredentialVerifier } from '#lib/credentials/credential-verifier.ts';
import { cachedStatusLists, hubSigner, partnerDirectory } from '#lib/hub-runtime.ts';
import { PASS_MAX_LENGTH, PASS_TYP } from '#lib/passes/pass-claims.ts';
import { type PassVerifierPorts, passIssuerOf } from '#lib/passes/pass-verification.ts';

/**
 * The pass verifier's ports as the deployed functions build them, once per cold start: the cached
 * partner directory (issuers and their keys), the cached status lists, and the hub's KMS signer.
 * The CredentialVerifier keeps imported keys for the life of the instance.
 */
let credentials: CredentialVerifier | undefined;

export async function passVerifierPorts(): Promise<PassVerifierPorts> {
  credentials ??= new CredentialVerifier({
    directory: partnerDirectory(),
    typ: PASS_TYP,
    issuerOf: passIssuerOf,
    maxLength: PASS_MAX_LENGTH,
  });
  return {
    credentials,
    statusLists: cachedStatusLists(),
    signer: await hubSigner(),
    now: () => new Date(),
  };
}

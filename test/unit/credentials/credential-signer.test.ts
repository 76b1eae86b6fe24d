import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  DEMO_ISSUERS,
  DEMO_ISSUING_NOT_BEFORE,
  demoIssuingPrivateJwk,
  demoIssuingPublicJwk,
  signDemoCredential,
} from '#infra/local/demo-partners.ts';
import {
  CredentialSignerError,
  credentialSigner,
  signCredential,
} from '#lib/credentials/credential-signer.ts';
import { CredentialRejection, CredentialVerifier } from '#lib/credentials/credential-verifier.ts';
import { toIssuingKey } from '#lib/credentials/issuing-keys.ts';
import { generateSm2KeyPair } from '#lib/crypto/sm2-jws.ts';
import { MemoryDirectory } from '../signing/fixtures.ts';

const NOW = new Date('2026-12-03T08:00:00Z');
const TYP = 'delta-test+jwt';

async function verifierFor(issuerId: string, sm2UserId?: string) {
  const directory = new MemoryDirectory();
  directory.partners.set(issuerId, {
    partnerId: issuerId,
    name: issuerId,
    roles: ['credential-issuer'],
    status: 'active',
    apiKeys: [],
    issuingKeys: [
      await toIssuingKey(
        { ...demoIssuingPublicJwk(issuerId), ...(sm2UserId === undefined ? {} : { sm2UserId }) },
        { notBefore: DEMO_ISSUING_NOT_BEFORE },
      ),
    ],
    version: 1,
    updatedAt: DEMO_ISSUING_NOT_BEFORE,
  });
  return new CredentialVerifier({ directory, typ: TYP, issuerOf: (payload) => payload.iss });
}

describe('credential signer', () => {
  it.each(DEMO_ISSUERS)(
    'signs a credential as demo issuer %s that the credential verifier accepts',
    async (issuerId) => {
      const token = await signDemoCredential(issuerId, { typ: TYP }, { iss: issuerId, sub: 'holder-1' });
      const header = decodeProtectedHeader(token);
      expect(header).toMatchObject({ typ: TYP, kid: `${issuerId}-issuing-2026-01` });
      expect(header.alg).toBe(demoIssuingPrivateJwk(issuerId).alg);
      const verified = await (await verifierFor(issuerId)).verify(token, NOW);
      expect(verified.payload.sub).toBe('holder-1');
    },
  );

  it('uses the three algorithms across the demo issuers, SM2SM3 for Anhui', () => {
    expect(DEMO_ISSUERS.map((id) => demoIssuingPrivateJwk(id).alg)).toEqual([
      'ES256',
      'EdDSA',
      'ES256',
      'SM2SM3',
    ]);
  });

  it('signs SM2 with an agreed signer ID that only a verifier holding that ID accepts', async () => {
    const token = await signCredential(
      demoIssuingPrivateJwk('ah-jtt'),
      { typ: TYP },
      { iss: 'ah-jtt' },
      { sm2UserId: 'ah-jtt@gov.cn' },
    );
    expect((await (await verifierFor('ah-jtt', 'ah-jtt@gov.cn')).verify(token, NOW)).payload.iss).toBe(
      'ah-jtt',
    );
    const wrongId = await (await verifierFor('ah-jtt')).verify(token, NOW).catch((error: unknown) => error);
    expect(wrongId).toBeInstanceOf(CredentialRejection);
    expect((wrongId as CredentialRejection).reason).toBe('signature-invalid');
  });

  it('refuses public keys, keys without a kid, a header naming another alg, and crit', async () => {
    await expect(credentialSigner(demoIssuingPublicJwk('sh-jtw'))).rejects.toBeInstanceOf(
      CredentialSignerError,
    );
    const { privateJwk } = generateSm2KeyPair();
    await expect(credentialSigner(privateJwk)).rejects.toBeInstanceOf(CredentialSignerError);
    const signer = await credentialSigner(demoIssuingPrivateJwk('js-jtt'));
    await expect(signer.sign({ alg: 'ES256' }, {})).rejects.toBeInstanceOf(CredentialSignerError);
    await expect(signer.sign({ crit: ['exp'] }, {})).rejects.toBeInstanceOf(CredentialSignerError);
    await expect(
      credentialSigner(demoIssuingPrivateJwk('sh-jtw'), { sm2UserId: 'x' }),
    ).rejects.toBeInstanceOf(CredentialSignerError);
  });
});

import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { toIssuingKey } from '#lib/credentials/issuing-keys.ts';
import { maskId } from '#lib/licences/disclosure.ts';
import { receiptContract, verifyResponseContract } from '#lib/licences/licence-contracts.ts';
import { LicenceDocumentChecker } from '#lib/licences/licence-document.ts';
import { changeLicenceStatus } from '#lib/licences/licence-status.ts';
import type { LicencePayload } from '#lib/licences/licence-types.ts';
import { publishLicence } from '#lib/licences/publish-licence.ts';
import { type VerifyLicenceAnswer, verifyLicence } from '#lib/licences/verify-licence.ts';
import type { Role } from '#lib/registry/partner.ts';
import { localKeySigner } from '#lib/signing/local-key-signer.ts';
import type { Signer } from '#lib/signing/signer.ts';
import { licenceFixtures } from '../../fixtures/licences/index.ts';
import { generatePrivateJwk, publicPart } from '../signing/fixtures.ts';
import {
  addIssuer,
  MemoryDirectory,
  MemoryStatusLists,
  type TestIssuer,
  variant,
} from './licence-test-kit.ts';
import { MemoryLicenceStore } from './memory-licence-store.ts';

const NOW = new Date('2026-12-03T08:00:00Z');
const crew = licenceFixtures['crew-competency-certificate'][1]
  ?.payload as LicencePayload<'crew-competency-certificate'>;
const LOCK = { partnerId: 'js-jianbi-lock', roles: ['lock-operator'] as Role[] };

let directory: MemoryDirectory;
let store: MemoryLicenceStore;
let lists: MemoryStatusLists;
let ah: TestIssuer;
let hubJwk: ReturnType<typeof generatePrivateJwk>;
let hub: Signer;
let clock: Date;

const checker = () => new LicenceDocumentChecker(directory);
/** Publishes the licence and returns the document the issuer hands its holder. */
const publish = async (payload: LicencePayload, issuer = ah): Promise<string> => {
  const document = await issuer.sign(payload);
  await publishLicence(
    { caller: { partnerId: issuer.partner.partnerId }, document },
    { checker: checker(), store, allocate: (id, n) => lists.allocate(id, n), now: () => clock },
  );
  return document;
};
const verify = (document: string, caller = LOCK, purpose?: string) =>
  verifyLicence(
    { caller, document, ...(purpose === undefined ? {} : { purpose }) },
    { checker: checker(), store, signer: async () => hub, now: () => clock },
  );
const setStatus = (action: 'suspend' | 'revoke' | 'reinstate') =>
  changeLicenceStatus(
    {
      caller: { partnerId: 'ah-jtt' },
      issuerId: 'ah-jtt',
      licenceNo: crew.licenceNo,
      action,
      reason: 'test',
    },
    { store, bits: lists, now: () => clock },
  );

async function receiptClaims(answer: VerifyLicenceAnswer): Promise<Record<string, unknown>> {
  expect(decodeProtectedHeader(answer.receipt)).toMatchObject({
    typ: 'delta-hub-receipt+jwt',
    alg: 'ES256',
    kid: hub.kid,
  });
  const { payload } = await compactVerify(answer.receipt, await importJWK(publicPart(hubJwk), 'ES256'), {
    algorithms: ['ES256'],
  });
  const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  expect(receiptContract.check(claims)).toEqual([]);
  expect(verifyResponseContract.check(answer)).toEqual([]);
  return claims;
}

beforeEach(async () => {
  directory = new MemoryDirectory();
  store = new MemoryLicenceStore();
  lists = new MemoryStatusLists();
  ah = await addIssuer(directory, 'ah-jtt', 'SM2SM3');
  await addIssuer(directory, 'sh-jtw', 'ES256');
  hubJwk = generatePrivateJwk('ES256', 'hub-test');
  hub = await localKeySigner(hubJwk);
  clock = NOW;
});

describe('verifyLicence: recognised', () => {
  it('recognises a published SM2-signed licence, records the event and signs a receipt', async () => {
    await publish(crew);
    const document = await ah.sign(crew);
    const answer = await verify(document, LOCK, '船闸过闸登记');
    expect(answer).toMatchObject({
      decision: 'recognised',
      status: { standing: 'valid', status: 'active', version: 1 },
    });
    expect(answer.reason).toBeUndefined();
    expect(answer.licence?.holder).toEqual({
      name: crew.holder.name,
      idType: '111',
      id: maskId(crew.holder.id),
    });
    expect(store.events).toEqual([
      expect.objectContaining({
        eventId: answer.eventId,
        issuerId: 'ah-jtt',
        licenceNo: crew.licenceNo,
        verifier: 'js-jianbi-lock',
        decision: 'recognised',
        purpose: '船闸过闸登记',
        verifiedAt: NOW.toISOString(),
      }),
    ]);
    const claims = await receiptClaims(answer);
    expect(claims).toMatchObject({
      iss: 'delta-hub',
      decision: 'recognised',
      credentialType: 'licence',
      credentialHash: store.events[0]?.credentialHash,
      issuer: 'ah-jtt',
      verifier: 'js-jianbi-lock',
      jti: answer.eventId,
      purpose: '船闸过闸登记',
    });
  });

  it('shows the issuer its own licence in full', async () => {
    await publish(crew);
    const answer = await verify(await ah.sign(crew), {
      partnerId: 'ah-jtt',
      roles: ['province', 'credential-issuer'],
    });
    expect(answer.licence?.holder.id).toBe(crew.holder.id);
  });

  it('still recognises a published licence after its signing key was retired, but no new document', async () => {
    const document = await publish(crew);
    const resigned = await ah.sign(crew);
    const unpublished = await ah.sign(variant(crew, (l) => (l.version = 2)));
    const issuer = directory.partners.get('ah-jtt');
    const key = issuer?.issuingKeys?.[0];
    if (!issuer || !key) throw new Error('test setup');
    issuer.issuingKeys = [
      await toIssuingKey(key.jwk, { notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-12-01T00:00:00Z' }),
    ];
    expect((await verify(document)).decision).toBe('recognised');
    // Without a signature check, only the exact bytes the hub verified at publication will do.
    expect((await verify(resigned)).reason).toBe('key-expired');
    expect((await verify(unpublished)).reason).toBe('key-expired');
  });
});

describe('verifyLicence: rejected, each with its reason', () => {
  it('malformed, with a receipt and no event', async () => {
    const answer = await verify('definitely not a jws');
    expect(answer).toMatchObject({ decision: 'rejected', reason: 'malformed' });
    expect(answer.eventId).toBeUndefined();
    expect(store.events).toHaveLength(0);
    expect((await receiptClaims(answer)).reason).toBe('malformed');
  });

  it('signature-invalid (a tampered payload)', async () => {
    await publish(crew);
    const [header, , signature] = (await ah.sign(crew)).split('.');
    const forged = Buffer.from(JSON.stringify(variant(crew, (l) => (l.validTo = '2099-12-31')))).toString(
      'base64url',
    );
    expect((await verify(`${header}.${forged}.${signature}`)).reason).toBe('signature-invalid');
    expect(store.events).toHaveLength(0);
  });

  it('issuer-unknown and key-unknown', async () => {
    const stranger = await addIssuer(new MemoryDirectory(), 'hb-jtt', 'ES256');
    const foreign = variant(crew, (l) => (l.issuer.partnerId = 'hb-jtt'));
    expect((await verify(await stranger.sign(foreign))).reason).toBe('issuer-unknown');
    expect((await verify(await ah.sign(crew, { kid: 'ah-jtt-old' }))).reason).toBe('key-unknown');
  });

  it('issuer-suspended', async () => {
    const issuer = directory.partners.get('ah-jtt');
    if (issuer) issuer.status = 'suspended';
    expect((await verify(await ah.sign(crew))).reason).toBe('issuer-suspended');
  });

  it('schema-invalid, with the fields, recorded for the issuer', async () => {
    const broken = variant(crew, (l) => {
      (l.fields as unknown as Record<string, unknown>).navigationArea = 'OCEAN';
    });
    const answer = await verify(await ah.sign(broken));
    expect(answer).toMatchObject({ decision: 'rejected', reason: 'schema-invalid' });
    expect(answer.errors?.[0]?.pointer).toMatch(/^\/fields/);
    expect(store.events).toEqual([
      expect.objectContaining({ decision: 'rejected', reason: 'schema-invalid' }),
    ]);
    await receiptClaims(answer);
  });

  it('not-published: never published, or a signed version the issuer did not publish', async () => {
    expect((await verify(await ah.sign(crew))).reason).toBe('not-published');
    await publish(crew);
    const other = await ah.sign(variant(crew, (l) => (l.fields.limitations = '仅限长江干线')));
    expect((await verify(other)).reason).toBe('not-published');
    expect((await verify(await ah.sign(variant(crew, (l) => (l.version = 2))))).reason).toBe('not-published');
  });

  it('superseded: an earlier published version', async () => {
    await publish(crew);
    const v1 = await ah.sign(crew);
    await publish(variant(crew, (l) => (l.version = 2)));
    const answer = await verify(v1);
    expect(answer).toMatchObject({ decision: 'rejected', reason: 'superseded', status: { version: 2 } });
    expect(answer.licence?.version).toBe(1);
  });

  it('suspended, then recognised again after reinstatement; revoked for good', async () => {
    await publish(crew);
    const document = await ah.sign(crew);
    await setStatus('suspend');
    expect((await verify(document)).reason).toBe('suspended');
    await setStatus('reinstate');
    expect((await verify(document)).decision).toBe('recognised');
    await setStatus('revoke');
    const answer = await verify(document);
    expect(answer).toMatchObject({ reason: 'revoked', status: { status: 'revoked', valid: false } });
  });

  it('expired and not-yet-valid, by the licence dates in China Standard Time', async () => {
    await publish(crew);
    const document = await ah.sign(crew);
    clock = new Date(`${crew.validTo}T16:00:00Z`);
    expect((await verify(document)).reason).toBe('expired');
    clock = new Date(`${crew.validTo}T15:59:59Z`);
    expect((await verify(document)).decision).toBe('recognised');
    const future = variant(crew, (l) => {
      l.licenceNo = 'AH340503202700001';
      l.validFrom = '2027-01-01';
    });
    clock = NOW;
    await publish(future);
    expect((await verify(await ah.sign(future))).reason).toBe('not-yet-valid');
  });
});

describe('verifyLicence: the issuer and its jurisdiction', () => {
  const shPermit = licenceFixtures['road-transport-operating-permit'][0]
    ?.payload as LicencePayload<'road-transport-operating-permit'>;
  const suzhouVehicle = licenceFixtures['vehicle-transport-certificate'].find(
    ({ name }) => name === 'vehicle-transport-certificate.js-suzhou',
  )?.payload as LicencePayload<'vehicle-transport-certificate'>;
  const PROVINCE = { partnerId: 'sh-jtw', roles: ['province', 'credential-issuer', 'verifier'] as Role[] };

  it('names the partner that vouches for the licence as the registry knows it, beside the authority', async () => {
    await publish(crew);
    const answer = await verify(await ah.sign(crew));
    expect(answer.licence?.issuer).toEqual({
      partnerId: 'ah-jtt',
      partnerName: '安徽省交通运输厅',
      name: crew.issuer.name,
    });
    await receiptClaims(answer);
  });

  it("recognises a city authority's licence published by its province (苏州市交通运输局 via js-jtt)", async () => {
    const js = await addIssuer(directory, 'js-jtt', 'EdDSA');
    const document = await publish(suzhouVehicle, js);
    const answer = await verify(document, PROVINCE);
    expect(answer.decision).toBe('recognised');
    expect(answer.licence?.issuer).toEqual({
      partnerId: 'js-jtt',
      partnerName: '江苏省交通运输厅',
      name: '苏州市交通运输局',
      code: '113205000141600138',
      divisionCode: '320500',
    });
  });

  it("rejects as issuer-mismatch a licence in another province's name, even one published before the check", async () => {
    const js = await addIssuer(directory, 'js-jtt', 'EdDSA');
    // The review repro: js-jtt signs Shanghai's permit, changing only issuer.partnerId.
    const forged = variant(shPermit, (l) => (l.issuer.partnerId = 'js-jtt'));
    const registered = directory.partners.get('js-jtt');
    if (!registered) throw new Error('test setup');
    // Published while the registry did not bind js-jtt to Jiangsu (as before the check existed).
    registered.divisionCode = '310000';
    const document = await publish(forged, js);
    registered.divisionCode = '320000';

    const answer = await verify(document, PROVINCE, '异地经营备案');
    expect(answer).toMatchObject({ decision: 'rejected', reason: 'issuer-mismatch' });
    expect(answer.detail).toMatch(/outside the jurisdiction of its issuer/);
    expect(answer.errors?.map((error) => error.pointer)).toEqual(['/issuer/divisionCode', '/issuer/code']);
    expect(answer.licence).toBeUndefined();
    expect(JSON.stringify(answer)).not.toContain('"recognised"');
    // Filed under the partner that signed it, which is who must answer for it.
    expect(store.events).toEqual([
      expect.objectContaining({
        issuerId: 'js-jtt',
        licenceNo: shPermit.licenceNo,
        decision: 'rejected',
        reason: 'issuer-mismatch',
        eventId: answer.eventId,
      }),
    ]);
    expect(await receiptClaims(answer)).toMatchObject({
      decision: 'rejected',
      reason: 'issuer-mismatch',
      issuer: 'js-jtt',
    });
  });

  it('rejects as issuer-mismatch a never-published one too: the document fails before its status is read', async () => {
    const js = await addIssuer(directory, 'js-jtt', 'EdDSA');
    const byUscc = variant(suzhouVehicle, (l) => {
      l.issuer.code = '11310000002435681K'; // Shanghai's USCC under a 苏州 division
      delete l.licenceIdentifier;
    });
    const answer = await verify(await js.sign(byUscc));
    expect(answer).toMatchObject({ decision: 'rejected', reason: 'issuer-mismatch' });
    expect(answer.errors).toEqual([{ pointer: '/issuer/code', detail: expect.stringContaining('310000') }]);
    expect(answer.status).toBeUndefined();
  });
});

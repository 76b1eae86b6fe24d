import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ISSUERS,
  DEMO_ISSUING_NOT_BEFORE,
  demoIssuingPublicJwk,
  signDemoCredential,
} from '#infra/local/demo-partners.ts';
import { signCredential } from '#lib/credentials/credential-signer.ts';
import { CredentialRejection, CredentialVerifier } from '#lib/credentials/credential-verifier.ts';
import type { TrustListDeltaPayload, TrustListPayload } from '#lib/credentials/trust-list.ts';
import {
  applyTrustListDelta,
  trustListDirectory,
  verifyTrustList,
  verifyTrustListDelta,
} from '#lib/credentials/trust-list-client.ts';
import { generateSm2KeyPair } from '#lib/crypto/sm2-jws.ts';
import { setPartnerStatus } from '#lib/registry/partner-admin.ts';
import { type SignedAnswer, startTestHub, type TestHub } from '../support/test-hub.ts';
import { generatePrivateJwk, publicPart } from '../unit/signing/fixtures.ts';

/**
 * Issuers publish issuing keys through the signed API; the hub answers trust lists (full and
 * deltas) signed with its key, and an offline checkpoint verifies credentials from them alone.
 */
let t: TestHub;

beforeAll(async () => {
  // No instance cache, so each call sees the change just made (the default is 30 s).
  t = await startTestHub({ environment: { TRUST_LIST_CACHE_SECONDS: '0' } });
});
afterAll(async () => {
  await t?.stop();
});

const TYP = 'delta-test-pass+jwt';
const problemType = (answer: SignedAnswer) =>
  String(answer.body.type).replace('https://delta-hub.example/problems/', '');

async function fullList(as = 'zj-checkpoint-jiaxing'): Promise<TrustListPayload> {
  const answer = await t.call(as, 'GET', '/v1/trust-list');
  expect(answer.status).toBe(200);
  const list = await verifyTrustList(answer.body.trustList as string, await t.jwks());
  expect(list.version).toBe(answer.body.version);
  return list;
}

async function deltaSince(since: number): Promise<TrustListDeltaPayload> {
  const answer = await t.call('zj-checkpoint-jiaxing', 'GET', `/v1/trust-list?since=${since}`);
  expect(answer.status).toBe(200);
  expect(answer.body.since).toBe(since);
  return verifyTrustListDelta(answer.body.trustList as string, await t.jwks());
}

const storedKeys = async (issuerId: string) =>
  ((await t.hub.registry.get(issuerId))?.issuingKeys ?? []).map((key) => ({
    jwk: key.jwk,
    notBefore: key.notBefore,
    ...(key.notAfter === undefined ? {} : { notAfter: key.notAfter }),
    ...(key.sm2UserId === undefined ? {} : { sm2UserId: key.sm2UserId }),
  }));

const putKeys = (as: string, issuerId: string, body: unknown) =>
  t.call(as, 'PUT', `/v1/issuers/${issuerId}/keys`, body);

describe('GET /v1/trust-list', () => {
  it('answers every role with the hub-signed list of the four demo issuers and their keys', async () => {
    const answer = await t.call('js-jianbi-lock', 'GET', '/v1/trust-list');
    expect(answer.status).toBe(200);
    expect(decodeProtectedHeader(answer.body.trustList as string)).toMatchObject({
      typ: 'delta-hub-trust-list+jwt',
      alg: 'ES256',
    });
    const list = await verifyTrustList(answer.body.trustList as string, await t.jwks());
    expect(list.iss).toBe('delta-hub');
    expect(list.nextUpdate - list.iat).toBe(300);
    expect(list.issuers.map((issuer) => issuer.issuerId)).toEqual([...DEMO_ISSUERS].sort());
    const anhui = list.issuers.find((issuer) => issuer.issuerId === 'ah-jtt');
    expect(anhui?.keys).toEqual([
      expect.objectContaining({
        kid: 'ah-jtt-issuing-2026-01',
        alg: 'SM2SM3',
        crv: 'SM2',
        sm2UserId: '1234567812345678',
        nbf: Date.parse(DEMO_ISSUING_NOT_BEFORE) / 1000,
      }),
    ]);
    expect(JSON.stringify(list)).not.toContain('"d"');
  });

  it('lets an offline checkpoint verify SM2, EdDSA and ES256 credentials from the list alone', async () => {
    const verifier = new CredentialVerifier({
      directory: trustListDirectory(await fullList()),
      typ: TYP,
      issuerOf: (payload) => payload.iss,
    });
    for (const issuerId of DEMO_ISSUERS) {
      const token = await signDemoCredential(issuerId, { typ: TYP }, { iss: issuerId, sub: 'vehicle-1' });
      expect((await verifier.verify(token, new Date())).key.kid).toBe(`${issuerId}-issuing-2026-01`);
    }
  });

  it('refuses a malformed since, a since from the future, and unknown parameters with a 400 problem', async () => {
    const { version } = await fullList();
    for (const query of ['since=abc', `since=${version + 1}`, 'since=-3', 'since=1&since=2', 'full=1']) {
      const answer = await t.call('zj-checkpoint-jiaxing', 'GET', `/v1/trust-list?${query}`);
      expect(answer.status, query).toBe(400);
      expect(problemType(answer)).toBe('trust-list-query-invalid');
    }
  });

  it('answers since = the current version with an empty delta', async () => {
    const { version } = await fullList();
    const delta = await deltaSince(version);
    expect(delta).toMatchObject({ since: version, version, changes: [] });
  });
});

describe('PUT /v1/issuers/{issuerId}/keys', () => {
  it('publishes a rotation key: the version bumps, the list carries it, since returns only that change', async () => {
    const before = await fullList();
    const next = generatePrivateJwk('ES256', 'zj-jtt-issuing-2026-12');
    const answer = await putKeys('zj-jtt', 'zj-jtt', {
      keys: [...(await storedKeys('zj-jtt')), { jwk: publicPart(next), notBefore: new Date().toISOString() }],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      issuerId: 'zj-jtt',
      changed: true,
      trustListVersion: before.version + 1,
    });
    expect((answer.body.keys as { kid: string }[]).map((key) => key.kid)).toEqual([
      'zj-jtt-issuing-2026-01',
      'zj-jtt-issuing-2026-12',
    ]);

    const after = await fullList();
    expect(after.version).toBe(before.version + 1);
    const zhejiang = after.issuers.find((issuer) => issuer.issuerId === 'zj-jtt');
    expect(zhejiang?.keys.map((key) => key.kid)).toEqual([
      'zj-jtt-issuing-2026-01',
      'zj-jtt-issuing-2026-12',
    ]);

    const delta = await deltaSince(before.version);
    expect(delta.version).toBe(after.version);
    expect(delta.changes).toEqual([zhejiang]);
    expect(applyTrustListDelta(before, delta).issuers).toEqual(after.issuers);

    // The same set again: nothing written, same version.
    const again = await putKeys('zj-jtt', 'zj-jtt', { keys: await storedKeys('zj-jtt') });
    expect(again.body).toMatchObject({ changed: false, trustListVersion: after.version });
  });

  it('refuses a partner without the credential-issuer role (403 role-forbidden)', async () => {
    const answer = await putKeys('zj-checkpoint-jiaxing', 'zj-checkpoint-jiaxing', {
      keys: [{ jwk: publicPart(generatePrivateJwk('ES256', 'k')), notBefore: new Date().toISOString() }],
    });
    expect(answer.status).toBe(403);
    expect(problemType(answer)).toBe('role-forbidden');
  });

  it("refuses an issuer publishing another issuer's keys (403 issuer-mismatch), changing nothing", async () => {
    const { version } = await fullList();
    const answer = await putKeys('sh-jtw', 'js-jtt', {
      keys: [{ jwk: publicPart(generatePrivateJwk('EdDSA', 'k')), notBefore: new Date().toISOString() }],
    });
    expect(answer.status).toBe(403);
    expect(problemType(answer)).toBe('issuer-mismatch');
    expect((await fullList()).version).toBe(version);
  });

  it('refuses a private JWK, unsupported curves, a point off the curve and bad windows with 400 and a field pointer', async () => {
    const now = new Date().toISOString();
    const p384 = publicPart(
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' }) as JWK,
    );
    const p256 = demoIssuingPublicJwk('sh-jtw');
    const cases: [unknown, string][] = [
      [{ keys: [{ jwk: generatePrivateJwk('ES256', 'private'), notBefore: now }] }, '/keys/0/jwk/d'],
      [{ keys: [{ jwk: p384, notBefore: now }] }, '/keys/0/jwk/crv'],
      [{ keys: [{ jwk: { kty: 'OKP', crv: 'P-256', x: p256.x }, notBefore: now }] }, '/keys/0/jwk'],
      [
        {
          keys: [
            {
              jwk: { ...demoIssuingPublicJwk('sh-jtw'), kid: 'off', y: demoIssuingPublicJwk('sh-jtw').x },
              notBefore: now,
            },
          ],
        },
        '/keys/0/jwk',
      ],
      [{ keys: [{ jwk: demoIssuingPublicJwk('sh-jtw'), notBefore: 'yesterday' }] }, '/keys/0/notBefore'],
      [
        { keys: [{ jwk: demoIssuingPublicJwk('sh-jtw'), notBefore: now, sm2UserId: 'x' }] },
        '/keys/0/sm2UserId',
      ],
    ];
    for (const [body, pointer] of cases) {
      const answer = await putKeys('sh-jtw', 'sh-jtw', body);
      expect(answer.status, pointer).toBe(400);
      expect(problemType(answer)).toBe('validation-failed');
      expect((answer.body.errors as { pointer: string }[])[0]?.pointer).toBe(pointer);
    }
  });

  it('refuses dropping a key that is still valid (409 with a pointer)', async () => {
    const answer = await putKeys('sh-jtw', 'sh-jtw', {
      keys: [{ jwk: publicPart(generatePrivateJwk('ES256', 'sh-new')), notBefore: new Date().toISOString() }],
    });
    expect(answer.status).toBe(409);
    expect(problemType(answer)).toBe('issuing-key-change-refused');
    expect(answer.body.errors).toEqual([
      { pointer: '/keys', detail: expect.stringContaining('sh-jtw-issuing-2026-01') },
    ]);
  });
});

describe('key rotation and compromise', () => {
  it('keeps a retired key listed and verifying until its notAfter; the new key verifies at once', async () => {
    const verifierFrom = async () =>
      new CredentialVerifier({
        directory: trustListDirectory(await fullList()),
        typ: TYP,
        issuerOf: (p) => p.iss,
      });
    const { privateJwk, publicJwk } = generateSm2KeyPair();
    const nextKid = 'ah-jtt-issuing-2026-12';
    const retireAt = new Date(Date.now() + 3_000);
    const current = await storedKeys('ah-jtt');
    const answer = await putKeys('ah-jtt', 'ah-jtt', {
      keys: [
        ...current.map((key) => ({ ...key, notAfter: retireAt.toISOString() })),
        { jwk: { ...publicJwk, kid: nextKid }, notBefore: new Date(Date.now() - 1_000).toISOString() },
      ],
    });
    expect(answer.status).toBe(200);

    const oldPass = await signDemoCredential('ah-jtt', { typ: TYP }, { iss: 'ah-jtt', sub: 'ferry-1' });
    const newPass = await signCredential({ ...privateJwk, kid: nextKid }, { typ: TYP }, { iss: 'ah-jtt' });
    const beforeRetirement = await verifierFrom();
    expect((await beforeRetirement.verify(oldPass, new Date())).key.kid).toBe('ah-jtt-issuing-2026-01');
    expect((await beforeRetirement.verify(newPass, new Date())).key.kid).toBe(nextKid);
    // The hub's own (online) verifier agrees: same registry, same rules.
    const online = new CredentialVerifier({ directory: t.hub.registry, typ: TYP, issuerOf: (p) => p.iss });
    expect((await online.verify(oldPass, new Date())).key.kid).toBe('ah-jtt-issuing-2026-01');

    await new Promise((done) => setTimeout(done, Math.max(0, retireAt.getTime() - Date.now() + 1_100)));
    const list = await fullList();
    expect(list.issuers.find((issuer) => issuer.issuerId === 'ah-jtt')?.keys.map((key) => key.kid)).toEqual([
      nextKid,
    ]);
    const afterRetirement = new CredentialVerifier({
      directory: trustListDirectory(list),
      typ: TYP,
      issuerOf: (p) => p.iss,
    });
    const rejected = await afterRetirement.verify(oldPass, new Date()).catch((error: unknown) => error);
    expect((rejected as CredentialRejection).reason).toBe('key-unknown');
    expect((await afterRetirement.verify(newPass, new Date())).key.kid).toBe(nextKid);
    const onlineRejected = await online.verify(oldPass, new Date()).catch((error: unknown) => error);
    expect(onlineRejected).toBeInstanceOf(CredentialRejection);
    expect((onlineRejected as CredentialRejection).reason).toBe('key-expired');
  });

  it('removes a compromised key at once, though its notAfter is far off', async () => {
    const spare: JWK = publicPart(generatePrivateJwk('EdDSA', 'js-jtt-issuing-spare'));
    const current = await storedKeys('js-jtt');
    const added = await putKeys('js-jtt', 'js-jtt', {
      keys: [
        ...current,
        { jwk: spare, notBefore: new Date().toISOString(), notAfter: '2030-01-01T00:00:00Z' },
      ],
    });
    expect(added.status).toBe(200);
    const { version } = await fullList();

    const answer = await putKeys('js-jtt', 'js-jtt', {
      keys: current,
      compromised: ['js-jtt-issuing-spare'],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.trustListVersion).toBe(version + 1);
    const delta = await deltaSince(version);
    expect(delta.changes).toHaveLength(1);
    expect(delta.changes[0]?.keys.map((key) => key.kid)).toEqual(['js-jtt-issuing-2026-01']);
    expect((await t.hub.registry.get('js-jtt'))?.issuingKeys?.map((key) => key.kid)).toEqual([
      'js-jtt-issuing-2026-01',
    ]);
  });
});

describe('issuer suspension', () => {
  it('bumps the version and lists the suspended issuer with no keys until reinstated', async () => {
    const { version } = await fullList();
    await setPartnerStatus(t.hub.registry, 'sh-jtw', 'suspended', 'key ceremony audit');
    const suspended = await fullList();
    expect(suspended.version).toBe(version + 1);
    expect(suspended.issuers.find((issuer) => issuer.issuerId === 'sh-jtw')).toEqual({
      issuerId: 'sh-jtw',
      name: '上海市交通委员会',
      status: 'suspended',
      keys: [],
    });
    const delta = await deltaSince(version);
    expect(delta.changes.map((change) => [change.issuerId, change.status])).toEqual([
      ['sh-jtw', 'suspended'],
    ]);
    const offline = new CredentialVerifier({
      directory: trustListDirectory(suspended),
      typ: TYP,
      issuerOf: (p) => p.iss,
    });
    const token = await signDemoCredential('sh-jtw', { typ: TYP }, { iss: 'sh-jtw' });
    const rejected = await offline.verify(token, new Date()).catch((error: unknown) => error);
    expect((rejected as CredentialRejection).reason).toBe('issuer-suspended');

    await setPartnerStatus(t.hub.registry, 'sh-jtw', 'active', 'audit passed');
    const reinstated = await fullList('sh-jtw');
    expect(reinstated.version).toBe(version + 2);
    expect(reinstated.issuers.find((issuer) => issuer.issuerId === 'sh-jtw')?.keys).toHaveLength(1);
  });
});

import { compactVerify, createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDemoCredential } from '#infra/local/demo-partners.ts';
import { StatusBitstring } from '#lib/credentials/status-list.ts';
import { maskId } from '#lib/licences/disclosure.ts';
import { receiptContract, statusListContract } from '#lib/licences/licence-contracts.ts';
import { LICENCE_JWS_TYP } from '#lib/licences/licence-document.ts';
import type { LicencePayload } from '#lib/licences/licence-types.ts';
import { allLicenceFixtures, licenceFixtures } from '../fixtures/licences/index.ts';
import { type SignedAnswer, startTestHub, type TestHub } from '../support/test-hub.ts';

/**
 * E-licence mutual recognition end to end, through the local hub against the emulator: the four
 * provinces publish licences of all five types signed with their demo issuing keys (ES256 sh-jtw
 * and zj-jtt, EdDSA js-jtt, SM2SM3 ah-jtt); other partners recognise them; issuers suspend,
 * reinstate, renew and revoke; the signed status lists follow.
 */
let t: TestHub;
const published = new Map<string, { document: string; statusIndex: number }>();

const problemType = (answer: SignedAnswer) =>
  String(answer.body.type).replace('https://delta-hub.example/problems/', '');
const sign = (payload: LicencePayload) =>
  signDemoCredential(
    payload.issuer.partnerId,
    { typ: LICENCE_JWS_TYP },
    payload as unknown as Record<string, unknown>,
  );
const licencePath = (issuer: string, licenceNo: string, suffix = '') =>
  `/v1/licences/${issuer}/${encodeURIComponent(licenceNo)}${suffix}`;
const keyOf = (payload: LicencePayload) => `${payload.issuer.partnerId}#${payload.licenceNo}`;

async function publish(payload: LicencePayload, as = payload.issuer.partnerId): Promise<SignedAnswer> {
  const document = await sign(payload);
  const answer = await t.call(as, 'POST', '/v1/licences', { document });
  if (answer.status === 201) {
    published.set(keyOf(payload), { document, statusIndex: answer.body.statusIndex as number });
  }
  return answer;
}

function documentOf(payload: LicencePayload): string {
  const entry = published.get(keyOf(payload));
  if (!entry) throw new Error(`${keyOf(payload)} was not published`);
  return entry.document;
}

async function verify(document: string, as: string, purpose?: string) {
  const answer = await t.call(as, 'POST', '/v1/licences/verify', {
    document,
    ...(purpose ? { purpose } : {}),
  });
  expect(answer.status).toBe(200);
  return answer.body as {
    decision: 'recognised' | 'rejected';
    reason?: string;
    licence?: Record<string, unknown> & { holder: { id: string }; fields: Record<string, unknown> };
    status?: Record<string, unknown>;
    eventId?: string;
    receipt: string;
  };
}

async function statusListBits(
  issuerId: string,
  index: number,
): Promise<{ revocation: boolean; suspension: boolean }> {
  const answer = await t.call('zj-checkpoint-jiaxing', 'GET', `/v1/status-lists/${issuerId}`);
  expect(answer.status).toBe(200);
  const { payload, protectedHeader } = await compactVerify(
    answer.body.statusList as string,
    createLocalJWKSet(await t.jwks()),
    { algorithms: ['ES256'] },
  );
  expect(protectedHeader.typ).toBe('delta-hub-status-list+jwt');
  const claims = JSON.parse(new TextDecoder().decode(payload));
  expect(statusListContract.check(claims)).toEqual([]);
  expect(claims.issuer).toBe(issuerId);
  return {
    revocation: StatusBitstring.decode(claims.lists.revocation.encodedList).get(index),
    suspension: StatusBitstring.decode(claims.lists.suspension.encodedList).get(index),
  };
}

beforeAll(async () => {
  // Status lists fresh on every read, so each assertion sees the change just made.
  t = await startTestHub({ environment: { STATUS_CACHE_SECONDS: '0' } });
});
afterAll(async () => {
  await t?.stop();
});

const permit = licenceFixtures['road-transport-operating-permit'][0]
  ?.payload as LicencePayload<'road-transport-operating-permit'>;
const vessel = licenceFixtures['vessel-nationality-certificate'][1]
  ?.payload as LicencePayload<'vessel-nationality-certificate'>;
const practitioner = licenceFixtures['practitioner-qualification'][1]
  ?.payload as LicencePayload<'practitioner-qualification'>;

describe('POST /v1/licences', () => {
  it('publishes licences of all five types from all four provinces, SM2-signed ones included', async () => {
    for (const { payload } of allLicenceFixtures) {
      // A fixture at version 2 needs its version 1 first.
      for (let version = 1; version <= payload.version; version++) {
        const answer = await publish({ ...structuredClone(payload), version } as LicencePayload);
        expect(answer.status, `${payload.licenceType} ${payload.licenceNo} v${version}`).toBe(201);
        expect(answer.body).toMatchObject({
          outcome: 'published',
          issuer: payload.issuer.partnerId,
          version,
        });
      }
    }
    expect(new Set(allLicenceFixtures.map(({ type }) => type)).size).toBe(5);
    expect(published.has(keyOf(vessel))).toBe(true);
    expect(vessel.issuer.partnerId).toBe('ah-jtt');
  });

  it('answers the same document again with 200 unchanged', async () => {
    const answer = await t.call('sh-jtw', 'POST', '/v1/licences', { document: documentOf(permit) });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      outcome: 'unchanged',
      statusIndex: published.get(keyOf(permit))?.statusIndex,
    });
  });

  it('refuses a province publishing a licence another province issued (403)', async () => {
    const answer = await t.call('js-jtt', 'POST', '/v1/licences', { document: documentOf(permit) });
    expect(answer.status).toBe(403);
    expect(problemType(answer)).toBe('licence-not-issuer');
  });

  it("refuses a province publishing a licence in another province's name (403), which no one can then recognise", async () => {
    // The review repro: js-jtt signs Shanghai's permit, changing only issuer.partnerId (沪交运管许可
    // 浦字310115000001号, 上海市交通委员会, 11310000002435681K and division 310000 kept).
    const forged = structuredClone(permit);
    forged.issuer.partnerId = 'js-jtt';
    const answer = await publish(forged);
    expect(answer.status).toBe(403);
    expect(problemType(answer)).toBe('licence-outside-jurisdiction');
    expect(answer.body.detail).toMatch(/^js-jtt may publish only licences issued within its jurisdiction/);
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ pointer: '/issuer/divisionCode' }),
      expect.objectContaining({ pointer: '/issuer/code' }),
    ]);
    const status = await t.call('js-jtt', 'GET', licencePath('js-jtt', permit.licenceNo, '/status'));
    expect(status.status).toBe(404);
    expect(await verify(await sign(forged), 'zj-checkpoint-jiaxing')).toMatchObject({
      decision: 'rejected',
      reason: 'issuer-mismatch',
    });
  });

  it("publishes a city authority's licence through its province, and names both to verifiers", async () => {
    const suzhou = licenceFixtures['vehicle-transport-certificate'].find(
      ({ name }) => name === 'vehicle-transport-certificate.js-suzhou',
    )?.payload as LicencePayload;
    const result = await verify(documentOf(suzhou), 'zj-checkpoint-jiaxing');
    expect(result.decision).toBe('recognised');
    expect(result.licence?.issuer).toEqual({
      partnerId: 'js-jtt',
      partnerName: '江苏省交通运输厅',
      name: '苏州市交通运输局',
    });
  });

  it('refuses a schema-invalid licence with the fields (400)', async () => {
    const broken = structuredClone(permit);
    broken.licenceNo = '沪交运管许可浦字310115000999号';
    (broken.fields as unknown as Record<string, unknown>).economicType = 'PIRATE';
    const answer = await publish(broken);
    expect(answer.status).toBe(400);
    expect(problemType(answer)).toBe('licence-invalid');
    expect(answer.body.errors).toEqual([expect.objectContaining({ pointer: '/fields/economicType' })]);
  });

  it('refuses a version that is not the next one (409)', async () => {
    const answer = await publish({ ...structuredClone(permit), version: 5 });
    expect(answer.status).toBe(409);
    expect(problemType(answer)).toBe('licence-version-conflict');
  });

  it('refuses a partner without the credential-issuer role (403)', async () => {
    const answer = await t.call('zj-checkpoint-jiaxing', 'POST', '/v1/licences', {
      document: documentOf(permit),
    });
    expect(answer.status).toBe(403);
    expect(problemType(answer)).toBe('role-forbidden');
  });
});

describe('POST /v1/licences/verify', () => {
  it('recognises an SM2-signed Anhui licence in Shanghai, with a receipt and an event Anhui can list', async () => {
    const result = await verify(documentOf(vessel), 'sh-jtw', '异地船舶检验登记');
    expect(result).toMatchObject({ decision: 'recognised', status: { standing: 'valid', version: 2 } });
    expect(result.licence?.fields).toMatchObject({
      shipName: vessel.fields.shipName,
      portOfRegistry: '芜湖',
    });
    expect(result.licence?.holder.id).toBe(maskId(vessel.holder.id));

    const { payload, protectedHeader } = await compactVerify(
      result.receipt,
      createLocalJWKSet(await t.jwks()),
      {
        algorithms: ['ES256'],
      },
    );
    expect(protectedHeader.typ).toBe('delta-hub-receipt+jwt');
    const receipt = JSON.parse(new TextDecoder().decode(payload));
    expect(receiptContract.check(receipt)).toEqual([]);
    expect(receipt).toMatchObject({
      decision: 'recognised',
      issuer: 'ah-jtt',
      verifier: 'sh-jtw',
      eventId: result.eventId,
    });

    const listed = await t.call(
      'ah-jtt',
      'GET',
      `/v1/licences/ah-jtt/recognitions?licenceNo=${encodeURIComponent(vessel.licenceNo)}`,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        eventId: result.eventId,
        licenceNo: vessel.licenceNo,
        verifier: 'sh-jtw',
        decision: 'recognised',
        purpose: '异地船舶检验登记',
        credentialHash: receipt.credentialHash,
      }),
    ]);
    const all = await t.call('ah-jtt', 'GET', '/v1/licences/ah-jtt/recognitions?limit=50');
    expect((all.body.items as { eventId: string }[]).map((item) => item.eventId)).toContain(result.eventId);
  });

  it('lets only the issuer list its recognition events', async () => {
    const answer = await t.call('sh-jtw', 'GET', '/v1/licences/ah-jtt/recognitions');
    expect(answer.status).toBe(403);
    expect(problemType(answer)).toBe('licence-not-issuer');
  });

  it('shows a lock operator only the essentials, never the holder ID', async () => {
    const result = await verify(documentOf(practitioner), 'js-jianbi-lock');
    expect(result.decision).toBe('recognised');
    expect(result.licence?.fields).toEqual({ categories: practitioner.fields.categories });
    expect(JSON.stringify(result)).not.toContain(practitioner.holder.id);
  });

  it('answers a malformed licence 200 rejected, and a malformed request 400', async () => {
    expect(await verify('eyJhbGciOiJFUzI1NiJ9.e30.AAAA', 'zj-checkpoint-jiaxing')).toMatchObject({
      decision: 'rejected',
      reason: 'malformed',
    });
    // Junk that a naive verifier would quote or look up: a 5 000-char kid and issuer id.
    const junk = (header: object, payload: object) =>
      `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.AAAA`;
    const longKid = junk(
      { alg: 'ES256', typ: LICENCE_JWS_TYP, kid: 'k'.repeat(5000) },
      { issuer: { partnerId: 'sh-jtw' } },
    );
    expect((await verify(longKid, 'zj-checkpoint-jiaxing')).reason).toBe('key-unknown');
    const longIssuer = junk(
      { alg: 'ES256', typ: LICENCE_JWS_TYP, kid: 'x' },
      { issuer: { partnerId: 'i'.repeat(5000) } },
    );
    expect((await verify(longIssuer, 'zj-checkpoint-jiaxing')).reason).toBe('malformed');
    const published = await t.call('sh-jtw', 'POST', '/v1/licences', { document: longKid });
    expect(published.status).toBe(400);
    expect(problemType(published)).toBe('licence-document-rejected');
    expect(published.body.reason).toBe('key-unknown');
    const bad = await t.call('zj-checkpoint-jiaxing', 'POST', '/v1/licences/verify', { licence: 'x' });
    expect(bad.status).toBe(400);
    expect(problemType(bad)).toBe('validation-failed');
  });
});

describe('status changes, status queries and status lists (沪交运管许可浦字310115000001号)', () => {
  const path = () => licencePath('sh-jtw', permit.licenceNo, '/status');
  const index = () => published.get(keyOf(permit))?.statusIndex as number;
  let suspendedAt = '';

  it('reads the status by a URL-encoded Chinese licence number, also with lower-case hex', async () => {
    const answer = await t.call('zj-checkpoint-jiaxing', 'GET', path());
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      issuer: 'sh-jtw',
      licenceNo: permit.licenceNo,
      status: { standing: 'valid', status: 'active', statusIndex: index() },
    });
    const lower = `/v1/licences/sh-jtw/${encodeURIComponent(permit.licenceNo).toLowerCase()}/status`;
    expect((await t.call('zj-checkpoint-jiaxing', 'GET', lower)).status).toBe(200);
  });

  it('suspends: verify says suspended, the status list has the suspension bit', async () => {
    const answer = await t.call('sh-jtw', 'POST', path(), { action: 'suspend', reason: '年度审验未通过' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      changed: true,
      status: { status: 'suspended', statusReason: '年度审验未通过' },
    });
    suspendedAt = (answer.body.status as { statusChangedAt: string }).statusChangedAt;
    expect(await verify(documentOf(permit), 'js-jtt')).toMatchObject({
      decision: 'rejected',
      reason: 'suspended',
    });
    expect(await statusListBits('sh-jtw', index())).toEqual({ revocation: false, suspension: true });
    const seen = await t.call('js-jtt', 'GET', path());
    expect(seen.body.status).not.toHaveProperty('statusReason');
  });

  it('answers ?at= before and after the suspension', async () => {
    const before = new Date(Date.parse(suspendedAt) - 1).toISOString();
    const atBefore = await t.call('zj-checkpoint-jiaxing', 'GET', `${path()}?at=${before}`);
    expect(atBefore.status).toBe(200);
    expect(atBefore.body.status).toMatchObject({ standing: 'valid', valid: true, at: before });
    const atSuspension = await t.call('zj-checkpoint-jiaxing', 'GET', `${path()}?at=${suspendedAt}`);
    expect(atSuspension.body.status).toMatchObject({ standing: 'suspended', valid: false });
    const beforePublication = await t.call(
      'zj-checkpoint-jiaxing',
      'GET',
      `${path()}?at=2026-01-01T00:00:00Z`,
    );
    expect(beforePublication.body.status).toMatchObject({ standing: 'not-published', valid: false });
  });

  it("refuses to flip a licence's status bits through the pass entries route (409)", async () => {
    const entry = { index: index(), purpose: 'revocation', value: true, reason: '误操作' };
    const refused = await t.call('sh-jtw', 'POST', '/v1/status-lists/sh-jtw/entries', entry);
    expect([refused.status, problemType(refused)]).toEqual([409, 'status-index-bound-to-licence']);
    expect(await statusListBits('sh-jtw', index())).toEqual({ revocation: false, suspension: true });
  });

  it('reinstates: valid again, the bit cleared', async () => {
    const answer = await t.call('sh-jtw', 'POST', path(), { action: 'reinstate', reason: '补正审验材料' });
    expect(answer.body).toMatchObject({ changed: true, status: { standing: 'valid' } });
    expect((await verify(documentOf(permit), 'js-jtt')).decision).toBe('recognised');
    expect(await statusListBits('sh-jtw', index())).toEqual({ revocation: false, suspension: false });
  });

  it('refuses status changes by another partner (403), for unknown licences (404), bad bodies (400)', async () => {
    const other = await t.call('js-jtt', 'POST', path(), { action: 'suspend', reason: '越权' });
    expect(other.status).toBe(403);
    expect(problemType(other)).toBe('licence-not-issuer');
    const unknown = await t.call(
      'sh-jtw',
      'POST',
      licencePath('sh-jtw', '沪交运管许可浦字310115099999号', '/status'),
      {
        action: 'suspend',
        reason: '测试',
      },
    );
    expect(unknown.status).toBe(404);
    expect(problemType(unknown)).toBe('licence-not-found');
    const noValidTo = await t.call('sh-jtw', 'POST', path(), { action: 'renew', reason: '延续' });
    expect(noValidTo.status).toBe(400);
  });

  it('renews: validTo extended', async () => {
    const answer = await t.call('sh-jtw', 'POST', path(), {
      action: 'renew',
      reason: '有效期届满延续',
      validTo: '2032-03-17',
    });
    expect(answer.body).toMatchObject({
      changed: true,
      status: { validTo: '2032-03-17', standing: 'valid' },
    });
  });

  it('revokes: verify says revoked, reinstatement refused, the revocation bit set', async () => {
    const answer = await t.call('sh-jtw', 'POST', path(), { action: 'revoke', reason: '以欺骗手段取得许可' });
    expect(answer.body).toMatchObject({ changed: true, status: { status: 'revoked', standing: 'revoked' } });
    expect(await verify(documentOf(permit), 'zj-jtt')).toMatchObject({
      decision: 'rejected',
      reason: 'revoked',
    });
    const reinstate = await t.call('sh-jtw', 'POST', path(), { action: 'reinstate', reason: '撤销错误' });
    expect(reinstate.status).toBe(409);
    expect(problemType(reinstate)).toBe('licence-revoked');
    expect(await statusListBits('sh-jtw', index())).toEqual({ revocation: true, suspension: false });
  });
});

describe('GET /v1/status-lists/{issuerId}', () => {
  it('answers 404 for a partner that issues no credentials', async () => {
    const answer = await t.call('zj-checkpoint-jiaxing', 'GET', '/v1/status-lists/js-jianbi-lock');
    expect(answer.status).toBe(404);
  });
});

import { createHash } from 'node:crypto';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIssuingPrivateJwk, signDemoCredential } from '#infra/local/demo-partners.ts';
import { toIssuingKey } from '#lib/credentials/issuing-keys.ts';
import type { PassReceipt } from '#lib/passes/contracts.ts';
import { type Checkpoint, PASS_TYP, type PassClaims } from '#lib/passes/pass-claims.ts';
import { setPartnerStatus } from '#lib/registry/partner-admin.ts';
import { type SignedAnswer, startTestHub, type TestHub } from '../support/test-hub.ts';
import {
  generateIssuingKey,
  passClaims,
  signPass,
  type TestIssuingKey,
} from '../unit/passes/pass-fixtures.ts';

/**
 * One-code pass verification end to end: issuers draw status indices and sign passes with their
 * published demo issuing keys (ES256 sh-jtw, EdDSA js-jtt, SM2SM3 ah-jtt, ES256 zj-jtt); the
 * Jiaxing checkpoint (role verifier) verifies them through the local hub against the emulator.
 */
let t: TestHub;
const CHECKPOINT: Checkpoint = { id: 'jiaxing-ferry-gate-3', kind: 'ferry', divisionCode: '330402' };
const indices = new Map<string, number[]>();

const seconds = () => Math.floor(Date.now() / 1000);
const problemType = (answer: SignedAnswer) =>
  String(answer.body.type).replace('https://delta-hub.example/problems/', '');

async function allocate(issuerId: string, count: number, as = issuerId): Promise<SignedAnswer> {
  return t.call(as, 'POST', `/v1/status-lists/${issuerId}/allocations`, { count });
}

/** A fresh status index of `issuerId`, drawn through the allocations route. */
function nextIndex(issuerId: string): number {
  const index = indices.get(issuerId)?.pop();
  if (index === undefined) throw new Error(`no status index left for ${issuerId}`);
  return index;
}

/** A pass signed with the issuer's published demo issuing key. */
async function issue(issuerId: string, overrides: Partial<PassClaims> = {}): Promise<string> {
  const claims = passClaims(issuerId, seconds() - 60, { status: { idx: nextIndex(issuerId) }, ...overrides });
  return signDemoCredential(issuerId, { typ: PASS_TYP }, { ...claims });
}

async function verify(pass: string, checkpoint: Checkpoint = CHECKPOINT, as = 'zj-checkpoint-jiaxing') {
  const answer = await t.call(as, 'POST', '/v1/passes/verify', { pass, checkpoint });
  expect(answer.status).toBe(200);
  return answer.body as {
    decision: string;
    reason?: string;
    claims?: Record<string, unknown>;
    receipt: string;
  };
}

async function receipt(jws: string): Promise<PassReceipt> {
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(await t.jwks()));
  expect(protectedHeader.typ).toBe('delta-hub-receipt+jwt');
  return JSON.parse(new TextDecoder().decode(payload)) as PassReceipt;
}

const demoKid = (issuerId: string) => demoIssuingPrivateJwk(issuerId).kid as string;

beforeAll(async () => {
  t = await startTestHub({ environment: { STATUS_CACHE_SECONDS: '0' } });
  for (const issuerId of ['sh-jtw', 'js-jtt', 'ah-jtt', 'zj-jtt']) {
    const answer = await allocate(issuerId, 100);
    expect(answer.status).toBe(200);
    const drawn = (answer.body as { indices: number[] }).indices;
    const more = ((await allocate(issuerId, 100)).body as { indices: number[] }).indices;
    indices.set(issuerId, [...drawn, ...more]);
  }
});
afterAll(async () => {
  await t?.stop();
});

describe('POST /v1/passes/verify: accepted', () => {
  it.each([
    ['sh-jtw', 'ES256'],
    ['js-jtt', 'EdDSA'],
    ['ah-jtt', 'SM2SM3'],
  ])('accepts a pass of %s (%s) with the claims a verifier may see and a receipt', async (issuerId, alg) => {
    const pass = await issue(issuerId);
    expect(decodeProtectedHeader(pass).alg).toBe(alg);
    const result = await verify(pass);
    expect(result).toMatchObject({
      decision: 'accepted',
      claims: { iss: issuerId, passType: 'person', holder: { name: '张*明', idLast4: '123X' } },
    });
    expect(result.claims).not.toHaveProperty('sub');
    expect(result.claims).not.toHaveProperty('jti');
    expect(result.claims).not.toHaveProperty('status');
    expect(await receipt(result.receipt)).toMatchObject({
      iss: 'delta-hub',
      decision: 'accepted',
      credentialType: 'pass',
      credentialHash: createHash('sha256').update(pass).digest('base64url'),
      issuer: issuerId,
      verifier: 'zj-checkpoint-jiaxing',
      checkpoint: CHECKPOINT,
    });
  });

  it('lets a lock operator verify a vessel pass and shows it the vessel only', async () => {
    const pass = await issue('sh-jtw', {
      passType: 'vessel',
      scope: ['lock'],
      holder: { shipName: '皖鸿运8088', shipId: 'CN20181234567' },
    });
    const result = await verify(
      pass,
      { id: 'jianbi-line-2', kind: 'lock', divisionCode: '321100' },
      'js-jianbi-lock',
    );
    expect(result).toMatchObject({
      decision: 'accepted',
      claims: { passType: 'vessel', holder: { shipName: '皖鸿运8088', shipId: 'CN20181234567' } },
    });
  });

  it('refuses callers whose roles do not verify passes', async () => {
    const answer = await t.call('sh-yiwangtong', 'POST', '/v1/passes/verify', {
      pass: await issue('sh-jtw'),
      checkpoint: CHECKPOINT,
    });
    expect(answer.status).toBe(403);
    expect(problemType(answer)).toBe('role-forbidden');
  });
});

describe('POST /v1/passes/verify: every bad pass is a 200 rejection with its reason', () => {
  const reasonOf = async (pass: string, checkpoint?: Checkpoint) => {
    const result = await verify(pass, checkpoint);
    expect(result.decision).toBe('rejected');
    expect(result.claims).toBeUndefined();
    expect((await receipt(result.receipt)).reason).toBe(result.reason);
    return result.reason;
  };

  it('malformed JWS', async () => {
    expect(await reasonOf('eyJhbGciOiJFUzI1NiJ9.not-json.sig')).toBe('malformed');
    expect(await reasonOf('这不是通行码')).toBe('malformed');
  });

  it('forged signature: a key the issuer never published, under its kid', async () => {
    const forger = generateIssuingKey('ES256', demoKid('sh-jtw'));
    const claims = passClaims('sh-jtw', seconds() - 60, { status: { idx: nextIndex('sh-jtw') } });
    expect(await reasonOf(await signPass(forger, claims))).toBe('signature-invalid');
  });

  it('wrong issuer role: a pass "issued" by the checkpoint itself', async () => {
    const key = generateIssuingKey('ES256', 'zj-checkpoint-jiaxing-1');
    expect(await reasonOf(await signPass(key, passClaims('zj-checkpoint-jiaxing', seconds() - 60)))).toBe(
      'issuer-not-authorised',
    );
    expect(await reasonOf(await signPass(key, passClaims('xx-not-registered', seconds() - 60)))).toBe(
      'issuer-unknown',
    );
  });

  it('suspended issuer, and accepted again once reinstated', async () => {
    const pass = await issue('zj-jtt');
    await setPartnerStatus(t.hub.registry, 'zj-jtt', 'suspended', 'e2e: issuing system compromised');
    try {
      expect(await reasonOf(pass)).toBe('issuer-suspended');
    } finally {
      await setPartnerStatus(t.hub.registry, 'zj-jtt', 'active', 'e2e: reinstated');
    }
    expect((await verify(pass)).decision).toBe('accepted');
  });

  it('unknown kid', async () => {
    const claims = passClaims('sh-jtw', seconds() - 60, { status: { idx: nextIndex('sh-jtw') } });
    const token = await signDemoCredential(
      'sh-jtw',
      { typ: PASS_TYP, kid: 'sh-jtw-issuing-2099-01' },
      { ...claims },
    );
    expect(await reasonOf(token)).toBe('key-unknown');
  });

  it('key outside its validity window: not yet valid, and retired', async () => {
    const early = generateIssuingKey('EdDSA', 'js-jtt-issuing-next');
    const retired = generateIssuingKey('EdDSA', 'js-jtt-issuing-old');
    const day = 86_400_000;
    const nextKey = await toIssuingKey(early.publicJwk, {
      notBefore: new Date(Date.now() + day).toISOString(),
    });
    const oldKey = await toIssuingKey(retired.publicJwk, {
      notBefore: '2026-01-01T00:00:00Z',
      notAfter: new Date(Date.now() - 1_000).toISOString(),
    });
    await t.hub.registry.update('js-jtt', (partner) => ({
      ...partner,
      issuingKeys: [...(partner.issuingKeys ?? []), nextKey, oldKey],
    }));
    const claims = () => passClaims('js-jtt', seconds() - 60, { status: { idx: nextIndex('js-jtt') } });
    expect(await reasonOf(await signPass(early, claims()))).toBe('key-not-yet-valid');
    expect(await reasonOf(await signPass(retired, claims()))).toBe('key-expired');
    // The current key is unaffected.
    expect((await verify(await issue('js-jtt'))).decision).toBe('accepted');
  });

  it('expired, not yet valid, lifetime too long, out of scope', async () => {
    const now = seconds();
    expect(
      await reasonOf(await issue('sh-jtw', { iat: now - 7_200, nbf: now - 7_200, exp: now - 120 })),
    ).toBe('expired');
    expect(await reasonOf(await issue('sh-jtw', { iat: now, nbf: now + 600, exp: now + 4_000 }))).toBe(
      'not-yet-valid',
    );
    expect(
      await reasonOf(await issue('sh-jtw', { iat: now - 60, nbf: now - 60, exp: now + 2 * 86_400 })),
    ).toBe('lifetime-too-long');
    expect(await reasonOf(await issue('sh-jtw', { scope: ['highway'] }))).toBe('scope-mismatch');
    expect(await reasonOf(await issue('sh-jtw', { regions: ['320500'] }))).toBe('scope-mismatch');
    expect(await reasonOf(await issue('sh-jtw', { sub: '310115199003071239' }))).toBe('claims-invalid');
  });

  it('revoked and suspended through the issuer’s entries route', async () => {
    const idx = nextIndex('sh-jtw');
    const pass = await issue('sh-jtw', { status: { idx } });
    expect((await verify(pass)).decision).toBe('accepted');
    const entries = '/v1/status-lists/sh-jtw/entries';

    const suspend = await t.call('sh-jtw', 'POST', entries, {
      index: idx,
      purpose: 'suspension',
      value: true,
      reason: '持证人挂失',
    });
    expect(suspend.status).toBe(200);
    expect(suspend.body).toEqual({
      issuerId: 'sh-jtw',
      index: idx,
      purpose: 'suspension',
      value: true,
      changed: true,
    });
    expect(await reasonOf(pass)).toBe('suspended');

    const reinstate = await t.call('sh-jtw', 'POST', entries, {
      index: idx,
      purpose: 'suspension',
      value: false,
      reason: '已找回',
    });
    expect(reinstate.body.changed).toBe(true);
    expect((await verify(pass)).decision).toBe('accepted');

    const revoke = await t.call('sh-jtw', 'POST', entries, {
      index: idx,
      purpose: 'revocation',
      value: true,
      reason: '违规转借',
    });
    expect(revoke.status).toBe(200);
    expect(await reasonOf(pass)).toBe('revoked');
  });
});

describe('status lists: only the issuer manages its own', () => {
  it('refuses another issuer (403), a non-issuer (403), an unallocated index (409), un-revoking (400)', async () => {
    const entry = { index: 1, purpose: 'suspension', value: true, reason: 'x' };
    const other = await t.call('js-jtt', 'POST', '/v1/status-lists/sh-jtw/entries', entry);
    expect([other.status, problemType(other)]).toEqual([403, 'status-list-owner-only']);
    const otherAllocation = await allocate('sh-jtw', 1, 'js-jtt');
    expect([otherAllocation.status, problemType(otherAllocation)]).toEqual([403, 'status-list-owner-only']);
    const checkpoint = await t.call(
      'zj-checkpoint-jiaxing',
      'POST',
      '/v1/status-lists/zj-checkpoint-jiaxing/allocations',
      {
        count: 1,
      },
    );
    expect([checkpoint.status, problemType(checkpoint)]).toEqual([403, 'role-forbidden']);

    const allocated = new Set(indices.get('sh-jtw'));
    let unallocated = 0;
    while (allocated.has(unallocated)) unallocated++;
    const never = await t.call('sh-jtw', 'POST', '/v1/status-lists/sh-jtw/entries', {
      ...entry,
      index: unallocated,
    });
    // Only a draw we did not make could have allocated it; the lists are 131,072 long.
    expect([never.status, problemType(never)]).toEqual([409, 'status-index-unallocated']);

    const unrevoke = await t.call('sh-jtw', 'POST', '/v1/status-lists/sh-jtw/entries', {
      index: nextIndex('sh-jtw'),
      purpose: 'revocation',
      value: false,
      reason: 'undo',
    });
    expect([unrevoke.status, problemType(unrevoke)]).toEqual([400, 'validation-failed']);
    const tooMany = await allocate('sh-jtw', 101);
    expect([tooMany.status, problemType(tooMany)]).toEqual([400, 'validation-failed']);
  });

  it('hands out distinct random indices', async () => {
    const drawn = indices.get('ah-jtt') ?? [];
    expect(new Set(drawn).size).toBe(drawn.length);
    // Not a run of consecutive numbers: spread over the 131,072 indices.
    expect(Math.max(...drawn) - Math.min(...drawn)).toBeGreaterThan(drawn.length * 10);
  });
});

describe('POST /v1/passes/verify-batch', () => {
  it('verifies 100 passes in one call, in order, each with its own receipt', async () => {
    // Passes valid across the Delta's prefectures: 100 of them exceed the default 64 KiB body limit.
    const regions = ['310000', '320100', '320200', '320400', '320500', '320600', '321000', '321100'];
    regions.push('330100', '330200', '330400', '330500', '330600', '340100', '340200', '340500');
    const passes = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        issue(['sh-jtw', 'js-jtt', 'ah-jtt'][i % 3] as string, { regions }),
      ),
    );
    passes[42] = 'garbage';
    const body = { checkpoint: CHECKPOINT, passes };
    expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(65_536);
    const answer = await t.call('zj-checkpoint-jiaxing', 'POST', '/v1/passes/verify-batch', body);
    expect(answer.status).toBe(200);
    const results = answer.body.results as { decision: string; reason?: string; receipt: string }[];
    expect(results).toHaveLength(100);
    expect(results.filter((result) => result.decision === 'accepted')).toHaveLength(99);
    expect(results[42]).toMatchObject({ decision: 'rejected', reason: 'malformed' });
    const receipts = await Promise.all(results.map((result) => receipt(result.receipt)));
    expect(receipts.map((r) => r.credentialHash)).toEqual(
      passes.map((pass) => createHash('sha256').update(pass).digest('base64url')),
    );
    expect(new Set(receipts.map((r) => r.jti)).size).toBe(100);
  });

  it('refuses 101 passes with a 400 problem naming the limit', async () => {
    const pass = await issue('sh-jtw');
    const answer = await t.call('zj-checkpoint-jiaxing', 'POST', '/v1/passes/verify-batch', {
      checkpoint: CHECKPOINT,
      passes: Array(101).fill(pass),
    });
    expect(answer.status).toBe(400);
    expect(problemType(answer)).toBe('validation-failed');
    expect(answer.body.errors).toEqual([{ pointer: '/passes', detail: 'must NOT have more than 100 items' }]);
  });
});

describe('malformed requests are problems, malformed passes are not', () => {
  it('answers 400 for a body without pass or with an unknown checkpoint kind', async () => {
    const missing = await t.call('zj-checkpoint-jiaxing', 'POST', '/v1/passes/verify', {
      checkpoint: CHECKPOINT,
    });
    expect([missing.status, problemType(missing)]).toEqual([400, 'validation-failed']);
    expect(missing.body.errors).toEqual([{ pointer: '/pass', detail: 'is required' }]);
    const kind = await t.call('zj-checkpoint-jiaxing', 'POST', '/v1/passes/verify', {
      pass: 'x',
      checkpoint: { id: 'gate', kind: 'airport' },
    });
    expect(kind.status).toBe(400);
  });
});

describe('key rotation', () => {
  it('keeps passes of the old key valid until its notAfter, and verifies the new key at once', async () => {
    const next: TestIssuingKey = generateIssuingKey('ES256', 'zj-jtt-issuing-2026-12');
    const retireAt = new Date(Date.now() + 4_000);
    const newKey = await toIssuingKey(next.publicJwk, {
      notBefore: new Date(Date.now() - 1_000).toISOString(),
    });
    await t.hub.registry.update('zj-jtt', (partner) => ({
      ...partner,
      issuingKeys: [
        ...(partner.issuingKeys ?? []).map((key) =>
          key.kid === demoKid('zj-jtt') ? { ...key, notAfter: retireAt.toISOString() } : key,
        ),
        newKey,
      ],
    }));
    const oldPass = await issue('zj-jtt');
    const newPass = await signPass(
      next,
      passClaims('zj-jtt', seconds() - 60, { status: { idx: nextIndex('zj-jtt') } }),
    );
    expect((await verify(oldPass)).decision).toBe('accepted');
    expect((await verify(newPass)).decision).toBe('accepted');

    await new Promise((done) => setTimeout(done, retireAt.getTime() - Date.now() + 50));
    expect((await verify(oldPass)).reason).toBe('key-expired');
    expect((await verify(newPass)).decision).toBe('accepted');
  });
});

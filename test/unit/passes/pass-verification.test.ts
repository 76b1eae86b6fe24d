import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { CredentialVerifier } from '#lib/credentials/credential-verifier.ts';
import { toIssuingKey } from '#lib/credentials/issuing-keys.ts';
import { StatusBitstring } from '#lib/credentials/status-list.ts';
import { CachedStatusLists } from '#lib/credentials/status-list-store.ts';
import {
  PASS_REJECTION_REASONS,
  type PassReceipt,
  type PassVerificationResult,
  verifyResponseContract,
} from '#lib/passes/contracts.ts';
import {
  type Checkpoint,
  PASS_MAX_LENGTH,
  PASS_MAX_LIFETIME_SECONDS,
  PASS_TYP,
  type PassClaims,
} from '#lib/passes/pass-claims.ts';
import {
  type PassCaller,
  type PassVerifierPorts,
  passIssuerOf,
  RECEIPT_TYP,
  verifyPass,
  verifyPassBatch,
} from '#lib/passes/pass-verification.ts';
import { CachedDirectory } from '#lib/registry/cached-directory.ts';
import type { Partner } from '#lib/registry/partner.ts';
import { localKeySigner } from '#lib/signing/local-key-signer.ts';
import type { Signer } from '#lib/signing/signer.ts';
import { generatePrivateJwk, MemoryDirectory } from '../signing/fixtures.ts';
import {
  generateIssuingKey,
  MemoryStatusLists,
  passClaims,
  signPass,
  type TestIssuingKey,
} from './pass-fixtures.ts';

const NOW = new Date('2026-12-03T08:00:00Z');
const T = NOW.getTime() / 1000;
const CHECKPOINT: Checkpoint = { id: 'jiaxing-ferry-gate-3', kind: 'ferry', divisionCode: '330402' };
const VERIFIER: PassCaller = { partnerId: 'zj-checkpoint-jiaxing', roles: ['verifier'] };

const keys = {} as Record<'sh-jtw' | 'js-jtt' | 'ah-jtt', TestIssuingKey>;
keys['sh-jtw'] = generateIssuingKey('ES256', 'sh-pass-2026');
keys['js-jtt'] = generateIssuingKey('EdDSA', 'js-pass-2026');
keys['ah-jtt'] = generateIssuingKey('SM2SM3', 'ah-pass-2026');

let directory: MemoryDirectory;
let statusLists: MemoryStatusLists;
let hubKey: JWK;
let signer: Signer;
let now: Date;
let ports: PassVerifierPorts;

async function issuer(
  partnerId: string,
  key: TestIssuingKey,
  roles: Partner['roles'] = ['province', 'credential-issuer'],
) {
  const partner: Partner = {
    partnerId,
    name: partnerId,
    roles,
    status: 'active',
    apiKeys: [],
    issuingKeys: [await toIssuingKey(key.publicJwk, { notBefore: '2026-01-01T00:00:00Z' })],
    version: 1,
    updatedAt: '2026-01-01T00:00:00Z',
  };
  directory.partners.set(partnerId, partner);
  return partner;
}

function portsOver(
  dir: MemoryDirectory | CachedDirectory,
  lists: PassVerifierPorts['statusLists'],
): PassVerifierPorts {
  return {
    credentials: new CredentialVerifier({
      directory: dir,
      typ: PASS_TYP,
      issuerOf: passIssuerOf,
      maxLength: PASS_MAX_LENGTH,
    }),
    statusLists: lists,
    signer,
    now: () => now,
  };
}

beforeEach(async () => {
  directory = new MemoryDirectory();
  statusLists = new MemoryStatusLists();
  hubKey = generatePrivateJwk('ES256', 'hub-test-key');
  signer = await localKeySigner(hubKey);
  now = NOW;
  for (const [id, key] of Object.entries(keys)) await issuer(id, key);
  ports = portsOver(directory, statusLists);
});

const pass = (overrides: Partial<PassClaims> = {}, iss: keyof typeof keys = 'sh-jtw') =>
  signPass(keys[iss], passClaims(iss, T - 600, overrides));

async function verify(token: string, checkpoint = CHECKPOINT, caller = VERIFIER) {
  const result = await verifyPass({ pass: token, checkpoint, caller }, ports);
  expect(verifyResponseContract.check(result)).toEqual([]);
  return result;
}

async function receiptOf(
  result: PassVerificationResult,
): Promise<{ header: Record<string, unknown>; payload: PassReceipt }> {
  const { payload, protectedHeader } = await compactVerify(
    result.receipt,
    await importJWK({ ...hubKey, d: undefined }, 'ES256'),
    {
      algorithms: ['ES256'],
    },
  );
  return { header: protectedHeader, payload: JSON.parse(new TextDecoder().decode(payload)) as PassReceipt };
}

describe('verifyPass: accepted passes', () => {
  it.each([
    ['sh-jtw', 'ES256'],
    ['js-jtt', 'EdDSA'],
    ['ah-jtt', 'SM2SM3'],
  ] as const)('accepts a pass of %s signed with %s', async (iss, alg) => {
    const token = await pass({}, iss);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg, typ: PASS_TYP });
    const result = await verify(token);
    expect(result).toMatchObject({ decision: 'accepted', claims: { iss, passType: 'person' } });
    expect(result.reason).toBeUndefined();
    expect(result.detail).toBeUndefined();
  });
});

describe('verifyPass: each failure has its reason', () => {
  const reasonOf = async (token: string, checkpoint = CHECKPOINT) => {
    const result = await verify(token, checkpoint);
    expect(result.decision).toBe('rejected');
    expect(result.claims).toBeUndefined();
    expect(result.detail).toEqual(expect.any(String));
    return result.reason;
  };

  it('malformed', async () => {
    expect(await reasonOf('not-a-jws')).toBe('malformed');
    expect(await reasonOf('a.b.c')).toBe('malformed');
    expect(await reasonOf(`${'A'.repeat(PASS_MAX_LENGTH)}.e30.AA`)).toBe('malformed');
    expect(await reasonOf(await signPass(keys['sh-jtw'], passClaims('sh-jtw', T), { typ: 'JWT' }))).toBe(
      'malformed',
    );
    // The issuer id is not a partner id: refused without a registry read.
    const reads = directory.reads;
    expect(await reasonOf(await pass({ iss: 'SH JTW' as string }))).toBe('malformed');
    expect(directory.reads).toBe(reads);
  });

  it('algorithm-rejected', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = passClaims('sh-jtw', T);
    expect(
      await reasonOf(`${b64({ alg: 'none', typ: PASS_TYP, kid: 'sh-pass-2026' })}.${b64(claims)}.AA`),
    ).toBe('algorithm-rejected');
    expect(
      await reasonOf(`${b64({ alg: 'HS256', typ: PASS_TYP, kid: 'sh-pass-2026' })}.${b64(claims)}.AA`),
    ).toBe('algorithm-rejected');
  });

  it('issuer-unknown, issuer-not-authorised, issuer-suspended', async () => {
    expect(await reasonOf(await signPass(keys['sh-jtw'], passClaims('xx-nobody', T)))).toBe('issuer-unknown');
    // A checkpoint is not an issuer, even with an issuing key on record.
    const checkpointKey = generateIssuingKey('ES256', 'zj-cp-1');
    await issuer('zj-checkpoint-jiaxing', checkpointKey, ['verifier']);
    expect(await reasonOf(await signPass(checkpointKey, passClaims('zj-checkpoint-jiaxing', T)))).toBe(
      'issuer-not-authorised',
    );
    (directory.partners.get('js-jtt') as Partner).status = 'suspended';
    expect(await reasonOf(await pass({}, 'js-jtt'))).toBe('issuer-suspended');
  });

  it('key-unknown, key-not-yet-valid, key-expired', async () => {
    expect(
      await reasonOf(await signPass(keys['sh-jtw'], passClaims('sh-jtw', T), { kid: 'sh-pass-2027' })),
    ).toBe('key-unknown');
    const partner = directory.partners.get('sh-jtw') as Partner;
    const [key] = partner.issuingKeys ?? [];
    if (!key) throw new Error('no key');
    partner.issuingKeys = [{ ...key, notBefore: '2026-12-03T08:00:01Z' }];
    expect(await reasonOf(await pass())).toBe('key-not-yet-valid');
    partner.issuingKeys = [{ ...key, notAfter: '2026-12-03T08:00:00Z' }];
    expect(await reasonOf(await pass())).toBe('key-expired');
  });

  it('signature-invalid: another key under the same kid, or a tampered payload', async () => {
    const impostor = { ...generateIssuingKey('ES256', 'sh-pass-2026') };
    expect(await reasonOf(await signPass(impostor, passClaims('sh-jtw', T)))).toBe('signature-invalid');
    const sm2Impostor = generateIssuingKey('SM2SM3', 'ah-pass-2026');
    expect(await reasonOf(await signPass(sm2Impostor, passClaims('ah-jtt', T)))).toBe('signature-invalid');
    const [header, , signature] = (await pass()).split('.');
    const widened = Buffer.from(
      JSON.stringify(passClaims('sh-jtw', T, { scope: ['ferry', 'highway'] })),
    ).toString('base64url');
    expect(await reasonOf(`${header}.${widened}.${signature}`)).toBe('signature-invalid');
  });

  it('claims-invalid: schema, an ID number as subject, an empty validity window', async () => {
    const { scope: _scope, ...noScope } = passClaims('sh-jtw', T);
    expect(await reasonOf(await signPass(keys['sh-jtw'], noScope))).toBe('claims-invalid');
    expect(await reasonOf(await pass({ sub: '310115199003071239' }))).toBe('claims-invalid');
    expect(await reasonOf(await pass({ sub: 'x310115199003071239abcdefgh' }))).toBe('claims-invalid');
    expect(await reasonOf(await pass({ holder: { name: '张三明', idLast4: '123X' } }))).toBe(
      'claims-invalid',
    );
    expect(await reasonOf(await pass({ passType: 'vehicle' }))).toBe('claims-invalid');
    expect(await reasonOf(await pass({ scope: [] }))).toBe('claims-invalid');
    expect(await reasonOf(await pass({ status: { idx: 131_072 } }))).toBe('claims-invalid');
    expect(await reasonOf(await signPass(keys['sh-jtw'], { ...passClaims('sh-jtw', T), extra: 1 }))).toBe(
      'claims-invalid',
    );
    expect(await reasonOf(await pass({ iat: T - 10, nbf: T - 10, exp: T - 10 }))).toBe('claims-invalid');
    expect(await reasonOf(await signPass(keys['sh-jtw'], [1, 2, 3]))).toBe('malformed');
  });

  it('lifetime-too-long: exp − min(iat, nbf) above 24 h', async () => {
    const start = T - 60;
    expect(
      (await verify(await pass({ iat: start, nbf: start, exp: start + PASS_MAX_LIFETIME_SECONDS }))).decision,
    ).toBe('accepted');
    expect(
      await reasonOf(await pass({ iat: start, nbf: start, exp: start + PASS_MAX_LIFETIME_SECONDS + 1 })),
    ).toBe('lifetime-too-long');
    // Back-dating nbf before iat does not stretch the window.
    expect(
      await reasonOf(
        await pass({ iat: start, nbf: start - 3_600, exp: start + PASS_MAX_LIFETIME_SECONDS - 1 }),
      ),
    ).toBe('lifetime-too-long');
  });

  it('expired: accepted up to 60 s after exp, rejected from then on', async () => {
    const token = await pass({ iat: T - 3_600, nbf: T - 3_600, exp: T });
    now = new Date((T + 59.999) * 1000);
    expect((await verify(token)).decision).toBe('accepted');
    now = new Date((T + 60) * 1000);
    expect(await reasonOf(token)).toBe('expired');
  });

  it('not-yet-valid: accepted from 60 s before nbf, and an iat more than 60 s ahead is refused', async () => {
    const token = await pass({ iat: T, nbf: T, exp: T + 3_600 });
    now = new Date((T - 60) * 1000);
    expect((await verify(token)).decision).toBe('accepted');
    now = new Date((T - 60.001) * 1000);
    expect(await reasonOf(token)).toBe('not-yet-valid');
    now = NOW;
    expect(await reasonOf(await pass({ iat: T + 61, nbf: T - 10, exp: T + 3_000 }))).toBe('not-yet-valid');
    expect((await verify(await pass({ iat: T + 60, nbf: T - 10, exp: T + 3_000 }))).decision).toBe(
      'accepted',
    );
  });

  it('scope-mismatch: checkpoint kind, and regions', async () => {
    expect(await reasonOf(await pass({ scope: ['bus'] }))).toBe('scope-mismatch');
    const regional = await pass({ regions: ['330400'] });
    expect((await verify(regional)).decision).toBe('accepted');
    expect(await reasonOf(regional, { id: 'gate', kind: 'ferry' })).toBe('scope-mismatch');
    expect(await reasonOf(regional, { id: 'gate', kind: 'ferry', divisionCode: '330102' })).toBe(
      'scope-mismatch',
    );
    expect((await verify(await pass({ regions: ['330000'] }))).decision).toBe('accepted');
    expect((await verify(await pass({ regions: ['310000', '330402'] }))).decision).toBe('accepted');
    expect(await reasonOf(await pass({ regions: ['330401'] }))).toBe('scope-mismatch');
  });

  it('revoked and suspended, revocation first', async () => {
    const token = await pass({ status: { idx: 77 } });
    statusLists.of('sh-jtw').suspension.set(77, true);
    expect(await reasonOf(token)).toBe('suspended');
    statusLists.of('sh-jtw').revocation.set(77, true);
    expect(await reasonOf(token)).toBe('revoked');
    // Another issuer's list does not matter.
    expect((await verify(await pass({ status: { idx: 77 } }, 'js-jtt'))).decision).toBe('accepted');
  });

  it('status-invalid: an index never allocated to the issuer, or one that belongs to a licence', async () => {
    statusLists.of('sh-jtw').allocated.set(88, false);
    expect(await reasonOf(await pass({ status: { idx: 88 } }))).toBe('status-invalid');
    statusLists.of('sh-jtw').licences.set(89, true);
    expect(await reasonOf(await pass({ status: { idx: 89 } }))).toBe('status-invalid');
    expect((await verify(await pass({ status: { idx: 90 } }))).decision).toBe('accepted');
  });

  it('reads the lists again before calling a freshly allocated index invalid', async () => {
    // Copies, as a table read returns: the cached lists do not change when the table does.
    const snapshot = async (issuerId: string) => {
      const lists = statusLists.of(issuerId);
      const copy = (bits: StatusBitstring) => StatusBitstring.decode(bits.encode());
      return {
        ...lists,
        revocation: copy(lists.revocation),
        suspension: copy(lists.suspension),
        allocated: copy(lists.allocated),
        licences: copy(lists.licences),
      };
    };
    const cached = new CachedStatusLists({ get: snapshot }, 30_000, () => 0);
    const stale = portsOver(directory, cached);
    statusLists.of('sh-jtw').allocated.set(91, false);
    const first = await verifyPass(
      { pass: await pass({ status: { idx: 90 } }), checkpoint: CHECKPOINT, caller: VERIFIER },
      stale,
    );
    expect(first.decision).toBe('accepted');
    // Allocated after the lists were cached: the cache is stale, the table is not.
    statusLists.of('sh-jtw').allocated.set(91, true);
    const second = await verifyPass(
      { pass: await pass({ status: { idx: 91 } }), checkpoint: CHECKPOINT, caller: VERIFIER },
      stale,
    );
    expect(second.decision).toBe('accepted');
  });
});

describe('verifyPass: receipts', () => {
  it('signs the decision, the pass hash, the verifier, the checkpoint and the time', async () => {
    const token = await pass();
    const result = await verify(token);
    const { header, payload } = await receiptOf(result);
    expect(header).toMatchObject({ typ: RECEIPT_TYP, alg: 'ES256', kid: 'hub-test-key' });
    expect(payload).toEqual({
      iss: 'delta-hub',
      iat: T,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      decision: 'accepted',
      credentialHash: createHash('sha256').update(token).digest('base64url'),
      credentialType: 'pass',
      issuer: 'sh-jtw',
      verifier: 'zj-checkpoint-jiaxing',
      checkpoint: CHECKPOINT,
      verifiedAt: NOW.toISOString(),
    });
    // Nothing of the pass's content is in the receipt.
    expect(JSON.stringify(payload)).not.toContain('张');
  });

  it('carries the reason of a rejection, and no issuer when the pass names none', async () => {
    const rejected = await verify(await pass({ scope: ['bus'] }));
    expect((await receiptOf(rejected)).payload).toMatchObject({
      decision: 'rejected',
      reason: 'scope-mismatch',
      issuer: 'sh-jtw',
    });
    const malformed = await verify('garbage');
    const { payload } = await receiptOf(malformed);
    expect(payload).toMatchObject({ decision: 'rejected', reason: 'malformed' });
    expect(payload.issuer).toBeUndefined();
    expect(payload.credentialHash).toBe(createHash('sha256').update('garbage').digest('base64url'));
  });

  it('gives each verification its own receipt id', async () => {
    const token = await pass();
    const [a, b] = await Promise.all([verify(token), verify(token)]);
    expect((await receiptOf(a as PassVerificationResult)).payload.jti).not.toBe(
      (await receiptOf(b as PassVerificationResult)).payload.jti,
    );
    expect(decodeProtectedHeader((a as PassVerificationResult).receipt).typ).toBe(RECEIPT_TYP);
  });
});

describe('verifyPass: disclosure by role', () => {
  it('a verifier sees type, scope, validity and the masked holder, never sub, jti or the status index', async () => {
    const claims = passClaims('sh-jtw', T - 600, { regions: ['330000'] });
    const result = await verify(await signPass(keys['sh-jtw'], claims));
    expect(result.claims).toEqual({
      iss: 'sh-jtw',
      passType: 'person',
      scope: claims.scope,
      regions: ['330000'],
      iat: claims.iat,
      nbf: claims.nbf,
      exp: claims.exp,
      holder: { name: '张*明', idLast4: '123X' },
    });
    expect(JSON.stringify(result)).not.toContain(claims.sub);
    expect(JSON.stringify(result)).not.toContain(claims.jti);
  });

  it('a lock operator sees a vessel but no person or vehicle details', async () => {
    const lock: PassCaller = { partnerId: 'js-jianbi-lock', roles: ['lock-operator'] };
    const lockCheckpoint: Checkpoint = { id: 'jianbi-line-2', kind: 'lock' };
    const vessel = await pass({
      passType: 'vessel',
      scope: ['lock'],
      holder: { shipName: '皖鸿运8088', shipId: 'CN20181234567' },
    });
    expect((await verify(vessel, lockCheckpoint, lock)).claims?.holder).toEqual({
      shipName: '皖鸿运8088',
      shipId: 'CN20181234567',
    });
    const person = await verify(await pass({ scope: ['lock'] }), lockCheckpoint, lock);
    expect(person.decision).toBe('accepted');
    expect(person.claims?.holder).toBeUndefined();
    const vehicle = await verify(
      await pass({ passType: 'vehicle', scope: ['lock'], holder: { plate: '沪AD69287' } }),
      lockCheckpoint,
      lock,
    );
    expect(vehicle.claims?.holder).toBeUndefined();
    // A partner holding both roles sees the union.
    const both = await verify(await pass({ scope: ['lock'] }), lockCheckpoint, {
      partnerId: 'sh-jtw',
      roles: ['lock-operator', 'verifier'],
    });
    expect(both.claims?.holder).toEqual({ name: '张*明', idLast4: '123X' });
  });
});

describe('cost: a warm verification reads no table', () => {
  it('reads the issuer and its status list once, then nothing', async () => {
    let clock = 0;
    const cachedPorts = portsOver(
      new CachedDirectory(directory, { ttlMs: 30_000, now: () => clock }),
      new CachedStatusLists(statusLists, 30_000, () => clock),
    );
    const token = await pass();
    const first = await verifyPass({ pass: token, checkpoint: CHECKPOINT, caller: VERIFIER }, cachedPorts);
    expect(first.decision).toBe('accepted');
    expect([directory.reads, statusLists.reads]).toEqual([1, 1]);
    const second = await verifyPass(
      { pass: await pass(), checkpoint: CHECKPOINT, caller: VERIFIER },
      cachedPorts,
    );
    expect(second.decision).toBe('accepted');
    expect([directory.reads, statusLists.reads]).toEqual([1, 1]);
    // A whole warm batch, too.
    const batch = await verifyPassBatch(
      {
        passes: await Promise.all(Array.from({ length: 100 }, () => pass())),
        checkpoint: CHECKPOINT,
        caller: VERIFIER,
      },
      cachedPorts,
    );
    expect(batch.results.every((result) => result.decision === 'accepted')).toBe(true);
    expect([directory.reads, statusLists.reads]).toEqual([1, 1]);
    // After the TTL a revocation is seen: one read each again.
    clock = 30_000;
    statusLists.of('sh-jtw').revocation.set(4_242, true);
    expect(
      (await verifyPass({ pass: token, checkpoint: CHECKPOINT, caller: VERIFIER }, cachedPorts)).reason,
    ).toBe('revoked');
    expect([directory.reads, statusLists.reads]).toEqual([2, 2]);
  });

  it('a cold batch reads each issuer and its list once, however many of its passes it holds', async () => {
    const cachedPorts = portsOver(
      new CachedDirectory(directory, { ttlMs: 30_000 }),
      new CachedStatusLists(statusLists, 30_000),
    );
    const issuers = ['sh-jtw', 'js-jtt', 'ah-jtt'] as const;
    const passes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => pass({}, issuers[i % 3] as (typeof issuers)[number])),
    );
    const { results } = await verifyPassBatch(
      { passes, checkpoint: CHECKPOINT, caller: VERIFIER },
      cachedPorts,
    );
    expect(results.map((result) => result.decision)).toEqual(Array(30).fill('accepted'));
    expect([directory.reads, statusLists.reads]).toEqual([3, 3]);
  });
});

describe('verifyPassBatch', () => {
  it('answers in order, each pass with its own result and receipt, with bounded concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const slowSigner: Signer = {
      kid: signer.kid,
      alg: signer.alg,
      publicJwk: () => signer.publicJwk(),
      async sign(input) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((done) => setTimeout(done, 2));
        inFlight--;
        return signer.sign(input);
      },
    };
    const passes = [await pass(), 'garbage', await pass({ scope: ['bus'] }), await pass({}, 'ah-jtt')];
    const many = [...passes, ...passes, ...passes, ...passes, ...passes];
    const { results } = await verifyPassBatch(
      { passes: many, checkpoint: CHECKPOINT, caller: VERIFIER },
      { ...ports, signer: slowSigner },
      4,
    );
    expect(results.map((result) => result.reason ?? result.decision)).toEqual(
      Array(5).fill(['accepted', 'malformed', 'scope-mismatch', 'accepted']).flat(),
    );
    const hashes = await Promise.all(
      results.map(async (result) => (await receiptOf(result)).payload.credentialHash),
    );
    expect(hashes).toEqual(many.map((token) => createHash('sha256').update(token).digest('base64url')));
    expect(peak).toBe(4);
  });
});

describe('property: any input is an answer, never a throw', () => {
  const known = new Set<string>(PASS_REJECTION_REASONS);

  it('random strings are rejected with a known reason', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 400 }),
          fc.stringMatching(/^[A-Za-z0-9_-]{0,80}\.[A-Za-z0-9_-]{0,200}\.[A-Za-z0-9_-]{0,90}$/),
          fc.tuple(fc.json(), fc.json(), fc.string({ maxLength: 90 })).map(([h, p, s]) =>
            [h, p]
              .map((part) => Buffer.from(part).toString('base64url'))
              .concat(s)
              .join('.'),
          ),
        ),
        async (input) => {
          const result = await verifyPass({ pass: input, checkpoint: CHECKPOINT, caller: VERIFIER }, ports);
          expect(result.decision).toBe('rejected');
          expect(known.has(result.reason as string)).toBe(true);
          expect(verifyResponseContract.check(result)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a mutated valid pass is rejected with a known reason unless its signed part is untouched', async () => {
    const originals = await Promise.all(
      (['sh-jtw', 'js-jtt', 'ah-jtt'] as const).map((iss) => pass({}, iss)),
    );
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...originals),
        fc.nat(),
        fc.constantFrom(...alphabet),
        fc.constantFrom('replace', 'insert', 'delete', 'truncate'),
        async (original, at, char, how) => {
          const i = at % original.length;
          const mutated =
            how === 'replace'
              ? original.slice(0, i) + char + original.slice(i + 1)
              : how === 'insert'
                ? original.slice(0, i) + char + original.slice(i)
                : how === 'delete'
                  ? original.slice(0, i) + original.slice(i + 1)
                  : original.slice(0, i);
          const result = await verifyPass({ pass: mutated, checkpoint: CHECKPOINT, caller: VERIFIER }, ports);
          expect(verifyResponseContract.check(result)).toEqual([]);
          if (result.decision === 'accepted') {
            // Only the padding bits of the signature's last character can change without effect.
            const signed = (token: string) => token.split('.').slice(0, 2).join('.');
            expect(signed(mutated)).toBe(signed(original));
          } else {
            expect(known.has(result.reason as string)).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('validly signed arbitrary claims are either conforming or claims-invalid', async () => {
    const base = passClaims('sh-jtw', T - 600);
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            sub: fc.oneof(fc.string({ maxLength: 70 }), fc.constant(base.sub)),
            iat: fc.oneof(fc.integer(), fc.double(), fc.constant(base.iat)),
            exp: fc.oneof(fc.integer({ min: T - 200_000, max: T + 200_000 }), fc.constant(base.exp)),
            passType: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('person', 'vehicle', 'vessel')),
            scope: fc.oneof(
              fc.array(fc.constantFrom('ferry', 'bus', 'lock', 'service-hall', 'highway', 'x'), {
                maxLength: 7,
              }),
              fc.anything(),
            ),
            regions: fc.array(fc.stringMatching(/^[0-9]{5,7}$/), { maxLength: 3 }),
            holder: fc.oneof(
              fc.constant(base.holder),
              fc.record({ plate: fc.constantFrom('沪AD69287', '京A12345', 'XX') }),
              fc.record({
                shipName: fc.string({ maxLength: 22 }),
                shipId: fc.constantFrom('CN20181234567', 'CN1'),
              }),
            ),
            status: fc.oneof(fc.record({ idx: fc.integer({ min: -5, max: 140_000 }) }), fc.anything()),
          },
          { requiredKeys: [] },
        ),
        async (changes) => {
          const token = await signPass(keys['sh-jtw'], { ...base, ...changes });
          const result = await verifyPass({ pass: token, checkpoint: CHECKPOINT, caller: VERIFIER }, ports);
          expect(verifyResponseContract.check(result)).toEqual([]);
          if (result.decision === 'rejected') expect(known.has(result.reason as string)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { demoIssuingPublicJwk } from '#infra/local/demo-partners.ts';
import {
  IssuingKeyChangeRefusedError,
  type IssuingKeyRegistry,
  planIssuingKeySet,
  publishIssuingKeys,
  type SubmittedIssuingKey,
  toIssuingKeys,
} from '#lib/credentials/issuing-key-set.ts';
import type { IssuingKey } from '#lib/credentials/issuing-keys.ts';
import { generateSm2KeyPair } from '#lib/crypto/sm2-jws.ts';
import { type FieldError, ForbiddenError, NotFoundError, ValidationError } from '#lib/errors.ts';
import type { Partner } from '#lib/registry/partner.ts';
import { generatePrivateJwk, publicPart } from '../signing/fixtures.ts';

const NOW = new Date('2026-12-03T08:00:00Z');
const LAST_YEAR = '2025-12-03T08:00:00.000Z';
const IN_A_MONTH = '2027-01-03T08:00:00.000Z';
const AN_HOUR_AGO = '2026-12-03T07:00:00.000Z';

const submitted = (jwk: JWK, window: Partial<SubmittedIssuingKey> = {}): SubmittedIssuingKey => ({
  jwk,
  notBefore: LAST_YEAR,
  ...window,
});

async function fieldErrors(promise: Promise<unknown>): Promise<FieldError[]> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).errors;
}

function refusal(run: () => unknown): FieldError[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IssuingKeyChangeRefusedError);
    return (error as IssuingKeyChangeRefusedError).errors;
  }
  throw new Error('expected the change to be refused');
}

async function keys(...entries: SubmittedIssuingKey[]): Promise<IssuingKey[]> {
  return toIssuingKeys({ keys: entries });
}

describe('toIssuingKeys', () => {
  it('accepts ES256, EdDSA and SM2SM3 public keys, deriving the SM2 signer ID default', async () => {
    const result = await keys(
      submitted(demoIssuingPublicJwk('sh-jtw')),
      submitted(demoIssuingPublicJwk('js-jtt')),
      submitted(demoIssuingPublicJwk('ah-jtt')),
    );
    expect(result.map((key) => [key.kid, key.alg])).toEqual([
      ['sh-jtw-issuing-2026-01', 'ES256'],
      ['js-jtt-issuing-2026-01', 'EdDSA'],
      ['ah-jtt-issuing-2026-01', 'SM2SM3'],
    ]);
    expect(result[2]?.sm2UserId).toBe('1234567812345678');
    expect(result[0]?.jwk).not.toHaveProperty('d');
  });

  it('keeps an agreed SM2 signer ID, and refuses one on another kind of key', async () => {
    const [sm2] = await keys(submitted(demoIssuingPublicJwk('ah-jtt'), { sm2UserId: 'ah-jtt@gov.cn' }));
    expect(sm2?.sm2UserId).toBe('ah-jtt@gov.cn');
    expect(
      await fieldErrors(keys(submitted(demoIssuingPublicJwk('sh-jtw'), { sm2UserId: '1234567812345678' }))),
    ).toEqual([{ pointer: '/keys/0/sm2UserId', detail: expect.any(String) }]);
  });

  it('points at the private key when a private JWK is submitted', async () => {
    const errors = await fieldErrors(keys(submitted(generatePrivateJwk('ES256', 'oops'))));
    expect(errors).toEqual([
      { pointer: '/keys/0/jwk', detail: expect.stringContaining('private member "d"') },
    ]);
  });

  it('refuses points off the curve, missing coordinates and an incoherent window, each with its pointer', async () => {
    const good = demoIssuingPublicJwk('sh-jtw');
    const offCurve = { ...good, kid: 'off', y: good.x };
    const noY = { ...good, kid: 'noy', y: undefined };
    const sm2OffCurve = { ...demoIssuingPublicJwk('ah-jtt'), kid: 'sm2-off', y: good.x };
    const edWithY = { ...demoIssuingPublicJwk('js-jtt'), y: good.y };
    expect(await fieldErrors(keys(submitted(good), submitted(offCurve)))).toEqual([
      { pointer: '/keys/1/jwk', detail: 'not a valid ES256 public key' },
    ]);
    expect((await fieldErrors(keys(submitted(noY))))[0]?.pointer).toBe('/keys/0/jwk');
    expect((await fieldErrors(keys(submitted(sm2OffCurve))))[0]?.pointer).toBe('/keys/0/jwk');
    expect((await fieldErrors(keys(submitted(edWithY))))[0]?.pointer).toBe('/keys/0/jwk/y');
    expect(
      (await fieldErrors(keys(submitted(good, { notBefore: IN_A_MONTH, notAfter: LAST_YEAR }))))[0]?.pointer,
    ).toBe('/keys/0/notAfter');
  });

  it('refuses two keys under one kid, and a kid both kept and declared compromised', async () => {
    const other = { ...publicPart(generatePrivateJwk('ES256', 'x')), kid: 'sh-jtw-issuing-2026-01' };
    expect(await fieldErrors(keys(submitted(demoIssuingPublicJwk('sh-jtw')), submitted(other)))).toEqual([
      { pointer: '/keys/1/jwk/kid', detail: 'kid "sh-jtw-issuing-2026-01" is also used by /keys/0' },
    ]);
    expect(
      await fieldErrors(
        toIssuingKeys({
          keys: [submitted(demoIssuingPublicJwk('sh-jtw'))],
          compromised: ['sh-jtw-issuing-2026-01'],
        }),
      ),
    ).toEqual([{ pointer: '/compromised/0', detail: expect.any(String) }]);
  });
});

describe('planIssuingKeySet', () => {
  const fresh = (kid: string, window: Partial<SubmittedIssuingKey> = {}) =>
    keys(submitted({ ...publicPart(generatePrivateJwk('ES256', kid)) }, window)).then(
      ([key]) => key as IssuingKey,
    );

  it('adds a key for rotation and lets the old one be retired at or after now', async () => {
    const old = await fresh('old');
    const next = await fresh('next', { notBefore: NOW.toISOString() });
    const retired = (await keys(submitted(old.jwk, { notAfter: IN_A_MONTH })))[0] as IssuingKey;
    const plan = planIssuingKeySet([old], [retired, next], [], NOW);
    expect(plan.changed).toBe(true);
    expect(plan.keys.map((key) => [key.kid, key.notAfter])).toEqual([
      ['old', IN_A_MONTH],
      ['next', undefined],
    ]);
    const retiredNow = (await keys(submitted(old.jwk, { notAfter: NOW.toISOString() })))[0] as IssuingKey;
    expect(planIssuingKeySet([old], [retiredNow, next], [], NOW).changed).toBe(true);
  });

  it('refuses to drop a key that is still valid, unless it is declared compromised', async () => {
    const old = await fresh('old');
    const next = await fresh('next');
    expect(refusal(() => planIssuingKeySet([old, next], [next], [], NOW))).toEqual([
      { pointer: '/keys', detail: expect.stringContaining('"old"') },
    ]);
    const plan = planIssuingKeySet([old, next], [next], ['old'], NOW);
    expect(plan.keys.map((key) => key.kid)).toEqual(['next']);
  });

  it('lets an expired key, or one not valid yet, be dropped', async () => {
    const expired = await fresh('expired', { notAfter: AN_HOUR_AGO });
    const staged = await fresh('staged', { notBefore: IN_A_MONTH });
    const live = await fresh('live');
    expect(planIssuingKeySet([expired, staged, live], [live], [], NOW).keys).toEqual([live]);
  });

  it('refuses cutting a valid key short in the past, reviving an expired one, or moving its start', async () => {
    const live = await fresh('live');
    const expired = await fresh('expired', { notAfter: AN_HOUR_AGO });
    const cut = (await keys(submitted(live.jwk, { notAfter: AN_HOUR_AGO })))[0] as IssuingKey;
    const revived = (await keys(submitted(expired.jwk, { notAfter: IN_A_MONTH })))[0] as IssuingKey;
    const moved = (await keys(submitted(live.jwk, { notBefore: AN_HOUR_AGO })))[0] as IssuingKey;
    expect(refusal(() => planIssuingKeySet([live], [cut], [], NOW))).toEqual([
      { pointer: '/keys/0/notAfter', detail: expect.stringContaining('compromised') },
    ]);
    expect(refusal(() => planIssuingKeySet([live, expired], [live, revived], [], NOW))).toEqual([
      { pointer: '/keys/1/notAfter', detail: expect.stringContaining('cannot be revived') },
    ]);
    expect(refusal(() => planIssuingKeySet([live], [moved], [], NOW))).toEqual([
      { pointer: '/keys/0/notBefore', detail: expect.any(String) },
    ]);
  });

  it('refuses other key material, or another SM2 signer ID, under a kid already published', async () => {
    const live = await fresh('live');
    const impostor = await fresh('live');
    expect(refusal(() => planIssuingKeySet([live], [impostor], [], NOW))[0]?.pointer).toBe('/keys/0/jwk');
    const [sm2] = await keys(submitted(demoIssuingPublicJwk('ah-jtt')));
    const [otherId] = await keys(submitted(demoIssuingPublicJwk('ah-jtt'), { sm2UserId: '' }));
    expect(
      refusal(() => planIssuingKeySet([sm2 as IssuingKey], [otherId as IssuingKey], [], NOW))[0]?.pointer,
    ).toBe('/keys/0/jwk');
  });

  it('refuses a new key that has already expired', async () => {
    const dead = await fresh('dead', { notAfter: AN_HOUR_AGO });
    expect(refusal(() => planIssuingKeySet([], [dead], [], NOW))).toEqual([
      { pointer: '/keys/0/notAfter', detail: 'a new key cannot already have expired' },
    ]);
  });

  it('sees the same set, in any order, as no change', async () => {
    const a = await fresh('a');
    const b = await fresh('b');
    expect(planIssuingKeySet([a, b], [b, a], [], NOW).changed).toBe(false);
    expect(planIssuingKeySet([a, b], [a, b], ['gone-already'], NOW).changed).toBe(false);
  });

  it('accepts a freshly generated SM2 key beside the others', async () => {
    const { publicJwk } = generateSm2KeyPair();
    const [sm2] = await keys(submitted({ ...publicJwk, kid: 'sm2-new' }));
    expect(sm2?.alg).toBe('SM2SM3');
  });
});

describe('publishIssuingKeys', () => {
  function registry(partner: Partner | undefined) {
    const writes: Partner[] = [];
    const fake: IssuingKeyRegistry = {
      get: async () => partner,
      updateWithTrustList: async (_id, change, now) => {
        if (!partner) throw new Error('unreachable');
        const next = {
          ...change(partner),
          version: partner.version + 1,
          updatedAt: (now ?? NOW).toISOString(),
        };
        writes.push(next);
        return { partner: next, trustListVersion: 8 };
      },
      trustList: { head: async () => ({ version: 7, issuers: [] }) },
    };
    return { fake, writes };
  }
  const partner = (roles: Partner['roles'], issuingKeys: IssuingKey[] = []): Partner => ({
    partnerId: 'sh-jtw',
    name: '上海市交通委员会',
    roles,
    status: 'active',
    apiKeys: [],
    issuingKeys,
    version: 3,
    updatedAt: LAST_YEAR,
  });
  const request = { keys: [submitted(demoIssuingPublicJwk('sh-jtw'))] };

  it('stores a changed set and reports the trust-list version it took', async () => {
    const { fake, writes } = registry(partner(['credential-issuer']));
    const result = await publishIssuingKeys(fake, 'sh-jtw', request, NOW);
    expect(result).toMatchObject({ issuerId: 'sh-jtw', changed: true, trustListVersion: 8 });
    expect(writes).toHaveLength(1);
    expect(writes[0]?.issuingKeys?.[0]?.kid).toBe('sh-jtw-issuing-2026-01');
  });

  it('writes nothing for the same set and reports the current version', async () => {
    const stored = await toIssuingKeys(request);
    const { fake, writes } = registry(partner(['credential-issuer'], stored));
    expect(await publishIssuingKeys(fake, 'sh-jtw', request, NOW)).toMatchObject({
      changed: false,
      trustListVersion: 7,
    });
    expect(writes).toHaveLength(0);
  });

  it('refuses partners without the credential-issuer role, and unknown ones', async () => {
    await expect(
      publishIssuingKeys(registry(partner(['verifier'])).fake, 'sh-jtw', request, NOW),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(publishIssuingKeys(registry(undefined).fake, 'sh-jtw', request, NOW)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

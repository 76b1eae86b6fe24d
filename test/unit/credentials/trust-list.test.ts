import fc from 'fast-check';
import { compactVerify, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { demoIssuingPublicJwk } from '#infra/local/demo-partners.ts';
import { type IssuingKey, toIssuingKey } from '#lib/credentials/issuing-keys.ts';
import {
  fullTrustList,
  issuerEntry,
  MAX_DELTA_VERSIONS,
  parseTrustListQuery,
  TRUST_LIST_DELTA_TYP,
  TRUST_LIST_TYP,
  TrustListPublisher,
  TrustListQueryError,
  TrustListSinceTooOldError,
  type TrustListSnapshot,
  type TrustListSource,
  trustListDelta,
  trustListKey,
} from '#lib/credentials/trust-list.ts';
import {
  applyTrustListDelta,
  TrustListRejectedError,
  verifyTrustList,
  verifyTrustListDelta,
} from '#lib/credentials/trust-list-client.ts';
import type { Partner } from '#lib/registry/partner.ts';
import { type TrustListChange, trustListChangeKind } from '#lib/registry/trust-list-log.ts';
import { localKeySigner } from '#lib/signing/local-key-signer.ts';
import type { Signer } from '#lib/signing/signer.ts';
import { generatePrivateJwk, publicPart } from '../signing/fixtures.ts';

const NOW = new Date('2026-12-03T08:00:00Z');
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

async function key(
  issuer: string,
  window: { notBefore: string; notAfter?: string } = { notBefore: '2026-01-01T00:00:00Z' },
): Promise<IssuingKey> {
  return toIssuingKey(demoIssuingPublicJwk(issuer), window);
}

function issuer(partnerId: string, issuingKeys: IssuingKey[], overrides: Partial<Partner> = {}): Partner {
  return {
    partnerId,
    name: `${partnerId} name`,
    roles: ['province', 'credential-issuer'],
    status: 'active',
    apiKeys: [],
    issuingKeys,
    version: 1,
    updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

describe('trust list entries', () => {
  it('lists an active issuer with its unexpired keys, including keys not valid yet', async () => {
    const current = await key('sh-jtw');
    const next = { ...(await key('zj-jtt', { notBefore: '2027-01-01T00:00:00Z' })), kid: 'next' };
    const retired = {
      ...(await key('js-jtt', { notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-06-01T00:00:00Z' })),
      kid: 'retired',
    };
    const entry = issuerEntry(issuer('sh-jtw', [current, next, retired]), NOW);
    expect(entry.status).toBe('active');
    expect(entry.keys.map((k) => k.kid)).toEqual([current.kid, 'next']);
    expect(entry.keys[0]).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: current.jwk.x,
      y: current.jwk.y,
      kid: current.kid,
      alg: 'ES256',
      use: 'sig',
      nbf: at('2026-01-01T00:00:00Z'),
    });
  });

  it('keeps a retired key until the instant of its notAfter, then drops it', async () => {
    const retiring = await key('sh-jtw', { notBefore: '2026-01-01T00:00:00Z', notAfter: NOW.toISOString() });
    const before = new Date(NOW.getTime() - 1);
    expect(issuerEntry(issuer('sh-jtw', [retiring]), before).keys).toHaveLength(1);
    expect(issuerEntry(issuer('sh-jtw', [retiring]), NOW).keys).toHaveLength(0);
  });

  it('lists a suspended issuer with no keys, so offline verifiers drop it', async () => {
    const entry = issuerEntry(issuer('sh-jtw', [await key('sh-jtw')], { status: 'suspended' }), NOW);
    expect(entry).toEqual({ issuerId: 'sh-jtw', name: 'sh-jtw name', status: 'suspended', keys: [] });
  });

  it('rounds the window inward to whole seconds and carries the SM2 signer ID', async () => {
    const sm2 = await key('ah-jtt', {
      notBefore: '2026-01-01T00:00:00.400Z',
      notAfter: '2027-01-01T00:00:00.900Z',
    });
    const listed = trustListKey(sm2);
    expect(listed).toMatchObject({
      kty: 'EC',
      crv: 'SM2',
      alg: 'SM2SM3',
      nbf: at('2026-01-01T00:00:01Z'),
      exp: at('2027-01-01T00:00:00Z'),
      sm2UserId: '1234567812345678',
    });
    expect(listed.nbf * 1000).toBeGreaterThanOrEqual(Date.parse(sm2.notBefore));
    expect((listed.exp ?? 0) * 1000).toBeLessThanOrEqual(Date.parse(sm2.notAfter ?? ''));
  });

  it('builds a full list sorted by issuer, with the version and the refresh hint', async () => {
    const snapshot: TrustListSnapshot = {
      version: 7,
      issuers: [issuer('zj-jtt', [await key('zj-jtt')]), issuer('ah-jtt', [await key('ah-jtt')])],
    };
    const list = fullTrustList(snapshot, NOW, 300);
    expect(list).toMatchObject({ iss: 'delta-hub', version: 7, iat: at(NOW.toISOString()) });
    expect(list.nextUpdate).toBe(list.iat + 300);
    expect(list.issuers.map((entry) => entry.issuerId)).toEqual(['ah-jtt', 'zj-jtt']);
  });
});

describe('trust list deltas', () => {
  const change = (version: number, issuerId: string, kind: TrustListChange['kind']): TrustListChange => ({
    version,
    issuerId,
    kind,
    at: NOW.toISOString(),
  });

  it('gives the current entry of each changed issuer once, and removed for former issuers', async () => {
    const snapshot: TrustListSnapshot = {
      version: 12,
      issuers: [
        issuer('sh-jtw', [await key('sh-jtw')], { status: 'suspended' }),
        issuer('js-jtt', [await key('js-jtt')]),
      ],
    };
    const delta = trustListDelta(
      snapshot,
      9,
      [change(10, 'sh-jtw', 'keys'), change(11, 'old-issuer', 'removed'), change(12, 'sh-jtw', 'status')],
      NOW,
      300,
    );
    expect(delta).toMatchObject({ iss: 'delta-hub', since: 9, version: 12 });
    expect(delta.changes).toEqual([
      { issuerId: 'old-issuer', status: 'removed', keys: [] },
      { issuerId: 'sh-jtw', name: 'sh-jtw name', status: 'suspended', keys: [] },
    ]);
  });

  it('applied to the list held, gives the same list as a fresh full one', async () => {
    const v1: TrustListSnapshot = {
      version: 1,
      issuers: [issuer('sh-jtw', [await key('sh-jtw')]), issuer('js-jtt', [await key('js-jtt')])],
    };
    const v3: TrustListSnapshot = {
      version: 3,
      issuers: [
        issuer('sh-jtw', [await key('sh-jtw'), { ...(await key('zj-jtt')), kid: 'rotated' }]),
        issuer('ah-jtt', [await key('ah-jtt')]),
      ],
    };
    const delta = trustListDelta(
      v3,
      1,
      [change(2, 'sh-jtw', 'keys'), change(3, 'ah-jtt', 'registered'), change(3, 'js-jtt', 'removed')],
      NOW,
      300,
    );
    const applied = applyTrustListDelta(fullTrustList(v1, NOW, 300), delta);
    expect(applied).toEqual(fullTrustList(v3, NOW, 300));
    expect(() => applyTrustListDelta(fullTrustList(v3, NOW, 300), delta)).toThrow(TrustListRejectedError);
  });
});

describe('trustListChangeKind', () => {
  it('names what a verifier would see change, and ignores partners that are not issuers', async () => {
    const base = issuer('sh-jtw', [await key('sh-jtw')]);
    const plain = { ...base, roles: ['verifier'] } as Partner;
    expect(trustListChangeKind(undefined, base)).toBe('registered');
    expect(trustListChangeKind(undefined, plain)).toBeUndefined();
    expect(trustListChangeKind(plain, { ...plain, status: 'suspended' })).toBeUndefined();
    expect(trustListChangeKind(plain, base)).toBe('registered');
    expect(trustListChangeKind(base, plain)).toBe('removed');
    expect(trustListChangeKind(base, { ...base, status: 'suspended' })).toBe('status');
    expect(trustListChangeKind(base, { ...base, issuingKeys: [] })).toBe('keys');
    expect(trustListChangeKind(base, { ...base, name: 'renamed' })).toBe('profile');
    expect(
      trustListChangeKind(base, { ...base, endpoint: 'https://x.example/', version: 9 }),
    ).toBeUndefined();
  });

  it('does not mistake a reordering of JWK members (a DynamoDB round trip) for a key change', async () => {
    const base = issuer('sh-jtw', [await key('sh-jtw')]);
    const reversed = <T extends object>(value: T): T =>
      Object.fromEntries(Object.entries(value).reverse()) as T;
    const [first] = base.issuingKeys ?? [];
    if (!first) throw new Error('fixture has a key');
    const shuffled = { ...base, issuingKeys: [reversed({ ...first, jwk: reversed(first.jwk) })] };
    expect(JSON.stringify(shuffled.issuingKeys)).not.toBe(JSON.stringify(base.issuingKeys));
    expect(trustListChangeKind(base, shuffled)).toBeUndefined();
  });
});

describe('parseTrustListQuery', () => {
  it('reads nothing or one since', () => {
    expect(parseTrustListQuery('')).toEqual({});
    expect(parseTrustListQuery(undefined)).toEqual({});
    expect(parseTrustListQuery('since=0')).toEqual({ since: 0 });
    expect(parseTrustListQuery('since=42')).toEqual({ since: 42 });
  });

  it.each([
    'since=abc',
    'since=-1',
    'since=1.5',
    'since=1e3',
    'since=',
    'since=1&since=2',
    'since=1234567890123',
    'version=3',
    'since=1&x=2',
  ])('refuses %s with a trust-list-query-invalid problem', (query) => {
    expect(() => parseTrustListQuery(query)).toThrow(TrustListQueryError);
  });

  it('never fails otherwise than with a TrustListQueryError, for any query string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (query) => {
        try {
          const parsed = parseTrustListQuery(query);
          return parsed.since === undefined || Number.isSafeInteger(parsed.since);
        } catch (error) {
          return error instanceof TrustListQueryError;
        }
      }),
    );
  });
});

describe('TrustListPublisher', () => {
  let clock: number;
  let snapshots: number;
  let signatures: number;
  let state: TrustListSnapshot;
  let log: TrustListChange[];
  let signer: Signer;
  let jwks: JSONWebKeySet;
  let failNextSnapshot: boolean;

  const source: TrustListSource = {
    snapshot: async () => {
      snapshots++;
      if (failNextSnapshot) {
        failNextSnapshot = false;
        throw new Error('registry unavailable');
      }
      return structuredClone(state);
    },
    changes: async (after, upTo) => log.filter((entry) => entry.version > after && entry.version <= upTo),
  };

  const publisher = (cacheMs = 30_000) =>
    new TrustListPublisher({
      source,
      signer: async () => ({
        ...signer,
        sign: (input: Uint8Array) => {
          signatures++;
          return signer.sign(input);
        },
      }),
      cacheMs,
      refreshSeconds: 300,
      now: () => new Date(clock),
    });

  beforeEach(async () => {
    clock = NOW.getTime();
    snapshots = 0;
    signatures = 0;
    failNextSnapshot = false;
    const hubKey = generatePrivateJwk('ES256', 'hub-test');
    signer = await localKeySigner(hubKey);
    jwks = { keys: [{ ...publicPart(hubKey), alg: 'ES256' }] };
    state = { version: 3, issuers: [issuer('sh-jtw', [await key('sh-jtw')])] };
    log = [
      { version: 1, issuerId: 'sh-jtw', kind: 'registered', at: NOW.toISOString() },
      { version: 2, issuerId: 'js-jtt', kind: 'registered', at: NOW.toISOString() },
      { version: 3, issuerId: 'js-jtt', kind: 'removed', at: NOW.toISOString() },
    ];
  });

  it('signs the full list as a compact JWS of typ delta-hub-trust-list+jwt that verifies with the hub key', async () => {
    const document = await publisher().full();
    expect(document.version).toBe(3);
    expect(decodeProtectedHeader(document.trustList)).toMatchObject({ typ: TRUST_LIST_TYP, alg: 'ES256' });
    const list = await verifyTrustList(document.trustList, jwks);
    expect(list.issuers.map((entry) => entry.issuerId)).toEqual(['sh-jtw']);
    await expect(verifyTrustListDelta(document.trustList, jwks)).rejects.toThrow(TrustListRejectedError);
  });

  it('builds and signs once per cache lifetime, then again', async () => {
    const trustLists = publisher(30_000);
    const [a, b] = await Promise.all([trustLists.full(), trustLists.full()]);
    await trustLists.full();
    expect(a).toBe(b);
    expect({ snapshots, signatures }).toEqual({ snapshots: 1, signatures: 1 });
    clock += 30_001;
    state = { ...state, version: 4 };
    expect((await trustLists.full()).version).toBe(4);
    expect({ snapshots, signatures }).toEqual({ snapshots: 2, signatures: 2 });
  });

  it('does not keep a failed build', async () => {
    const trustLists = publisher();
    failNextSnapshot = true;
    await expect(trustLists.full()).rejects.toThrow('registry unavailable');
    expect((await trustLists.full()).version).toBe(3);
  });

  it('answers since with a signed delta of typ delta-hub-trust-list-delta+jwt, cached per since', async () => {
    const trustLists = publisher();
    const document = await trustLists.delta(1);
    expect(document).toMatchObject({ version: 3, since: 1 });
    expect(decodeProtectedHeader(document.trustList).typ).toBe(TRUST_LIST_DELTA_TYP);
    const delta = await verifyTrustListDelta(document.trustList, jwks);
    expect(delta.changes).toEqual([{ issuerId: 'js-jtt', status: 'removed', keys: [] }]);
    await trustLists.delta(1);
    expect(signatures).toBe(1);
    const upToDate = await verifyTrustListDelta((await trustLists.delta(3)).trustList, jwks);
    expect(upToDate.changes).toEqual([]);
  });

  it('looks again (at most once a second) before refusing a since newer than its version', async () => {
    const trustLists = publisher();
    await trustLists.full();
    state = { ...state, version: 4 };
    log.push({ version: 4, issuerId: 'sh-jtw', kind: 'keys', at: NOW.toISOString() });
    await expect(trustLists.delta(4)).rejects.toBeInstanceOf(TrustListQueryError);
    expect(snapshots).toBe(1);
    clock += 1_000;
    expect((await trustLists.delta(4)).version).toBe(4);
    expect(snapshots).toBe(2);
    clock += 1_000;
    await expect(trustLists.delta(5)).rejects.toBeInstanceOf(TrustListQueryError);
    expect(snapshots).toBe(3);
    await expect(trustLists.delta(5)).rejects.toBeInstanceOf(TrustListQueryError);
    expect(snapshots).toBe(3);
  });

  it('sends a verifier too far behind to the full list', async () => {
    state = { ...state, version: MAX_DELTA_VERSIONS + 5 };
    await expect(publisher().delta(4)).rejects.toBeInstanceOf(TrustListSinceTooOldError);
    expect((await publisher().delta(5)).version).toBe(MAX_DELTA_VERSIONS + 5);
  });

  it('refuses a list signed by another key, or tampered with', async () => {
    const document = await publisher().full();
    const other = generatePrivateJwk('ES256', 'hub-test');
    await expect(
      verifyTrustList(document.trustList, { keys: [{ ...publicPart(other), alg: 'ES256' }] }),
    ).rejects.toThrow(TrustListRejectedError);
    const [header, , signature] = document.trustList.split('.');
    const forged = Buffer.from(
      JSON.stringify({ iss: 'delta-hub', version: 99, iat: 1, nextUpdate: 2, issuers: [] }),
    ).toString('base64url');
    await expect(verifyTrustList(`${header}.${forged}.${signature}`, jwks)).rejects.toThrow(
      TrustListRejectedError,
    );
    await expect(
      compactVerify(
        document.trustList,
        await import('jose').then((j) => j.importJWK(jwks.keys[0] ?? {}, 'ES256')),
      ),
    ).resolves.toBeDefined();
  });
});

import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { StatusBitstring } from '#lib/credentials/status-list.ts';
import type { IssuerStatusLists } from '#lib/credentials/status-list-store.ts';
import { StatusListPublisher } from '#lib/credentials/status-list-token.ts';
import { statusListContract, statusListResponseContract } from '#lib/licences/licence-contracts.ts';
import { localKeySigner } from '#lib/signing/local-key-signer.ts';
import { generatePrivateJwk, publicPart } from '../signing/fixtures.ts';

function listsWith(revoked: number[], suspended: number[], version: number): IssuerStatusLists {
  const lists: IssuerStatusLists = {
    issuerId: 'ah-jtt',
    revocation: StatusBitstring.create(),
    suspension: StatusBitstring.create(),
    allocated: StatusBitstring.create(),
    licences: StatusBitstring.create(),
    version,
    updatedAt: '2026-12-01T00:00:00Z',
  };
  for (const i of revoked) lists.revocation.set(i, true);
  for (const i of suspended) lists.suspension.set(i, true);
  return lists;
}

describe('StatusListPublisher', () => {
  it('publishes both lists as a hub-signed JWS that verifies against the hub key', async () => {
    const jwk = generatePrivateJwk('ES256', 'hub-1');
    const now = Date.parse('2026-12-03T08:00:00Z');
    const publisher = new StatusListPublisher({
      lists: { get: async () => listsWith([42], [7], 3) },
      signer: () => localKeySigner(jwk),
      ttlMs: 30_000,
      validityMs: 86_400_000,
      now: () => now,
    });
    const published = await publisher.get('ah-jtt');
    expect(statusListResponseContract.check(published)).toEqual([]);
    expect(decodeProtectedHeader(published.statusList)).toMatchObject({
      typ: 'delta-hub-status-list+jwt',
      kid: 'hub-1',
    });
    const { payload } = await compactVerify(published.statusList, await importJWK(publicPart(jwk), 'ES256'), {
      algorithms: ['ES256'],
    });
    const claims = JSON.parse(new TextDecoder().decode(payload));
    expect(statusListContract.check(claims)).toEqual([]);
    expect(claims).toMatchObject({
      iss: 'delta-hub',
      issuer: 'ah-jtt',
      version: 3,
      ttl: 30_000,
      issuedAt: '2026-12-03T08:00:00.000Z',
      validUntil: '2026-12-04T08:00:00.000Z',
      exp: claims.iat + 86_400,
    });
    const revocation = StatusBitstring.decode(claims.lists.revocation.encodedList);
    const suspension = StatusBitstring.decode(claims.lists.suspension.encodedList);
    expect([revocation.get(42), revocation.get(7), suspension.get(7), suspension.get(42)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });

  it('serves one signed list per issuer for the ttl, then reads and signs afresh', async () => {
    let reads = 0;
    let now = 0;
    const jwk = generatePrivateJwk('ES256', 'hub-1');
    const publisher = new StatusListPublisher({
      lists: {
        get: async () => {
          reads++;
          return listsWith([], [], reads);
        },
      },
      signer: () => localKeySigner(jwk),
      ttlMs: 30_000,
      validityMs: 86_400_000,
      now: () => now,
    });
    const first = await publisher.get('ah-jtt');
    now = 29_999;
    expect(await publisher.get('ah-jtt')).toBe(first);
    now = 30_000;
    expect((await publisher.get('ah-jtt')).version).toBe(2);
    expect(reads).toBe(2);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const publisher = new StatusListPublisher({
      lists: {
        get: async () => {
          if (fail) throw new Error('table unavailable');
          return listsWith([], [], 1);
        },
      },
      signer: () => localKeySigner(generatePrivateJwk('ES256', 'hub-1')),
      ttlMs: 30_000,
      validityMs: 86_400_000,
      now: () => 0,
    });
    await expect(publisher.get('ah-jtt')).rejects.toThrow('table unavailable');
    fail = false;
    expect((await publisher.get('ah-jtt')).version).toBe(1);
  });
});

import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '#lib/errors.ts';
import {
  addPartnerKey,
  registerPartner,
  retirePartnerKey,
  setPartnerEndpoint,
} from '#lib/registry/partner-admin.ts';
import type { RegistryStore } from '#lib/registry/registry-store.ts';
import { DynamoReplayGuard } from '#lib/replay/nonce-store.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';
import { generatePrivateJwk, publicPart } from '../unit/signing/fixtures.ts';

/** The DynamoDB adapters against the emulator: conditional writes do what the design relies on. */
let t: TestHub;
let registry: RegistryStore;
let replay: DynamoReplayGuard;

beforeAll(async () => {
  t = await startTestHub();
  registry = t.hub.registry;
  replay = new DynamoReplayGuard(
    DynamoDBDocumentClient.from(t.hub.clients.dynamo),
    t.hub.resources.tableNames.nonces,
  );
});
afterAll(async () => {
  await t?.stop();
});

describe('DynamoReplayGuard', () => {
  it('claims a nonce once, per partner', async () => {
    expect(await replay.claim('sh-jtw', 'nonce-aaaaaaaaaaaaaaaaaaaa', 2_000, 1_000)).toBe(true);
    expect(await replay.claim('sh-jtw', 'nonce-aaaaaaaaaaaaaaaaaaaa', 2_000, 1_001)).toBe(false);
    expect(await replay.claim('js-jtt', 'nonce-aaaaaaaaaaaaaaaaaaaa', 2_000, 1_001)).toBe(true);
  });

  it('lets an expired nonce be claimed again without waiting for TTL deletion', async () => {
    expect(await replay.claim('zj-jtt', 'nonce-bbbbbbbbbbbbbbbbbbbb', 1_300, 1_000)).toBe(true);
    expect(await replay.claim('zj-jtt', 'nonce-bbbbbbbbbbbbbbbbbbbb', 1_900, 1_300)).toBe(false);
    expect(await replay.claim('zj-jtt', 'nonce-bbbbbbbbbbbbbbbbbbbb', 1_900, 1_301)).toBe(true);
  });

  it('admits exactly one of many concurrent claims', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => replay.claim('ah-jtt', 'nonce-cccccccccccccccccccc', 5_000, 1_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('RegistryStore', () => {
  it('refuses to register an id twice', async () => {
    const input = {
      partnerId: 'ah-lock-yuxi',
      name: '裕溪船闸',
      roles: ['lock-operator'],
      keys: [publicPart(generatePrivateJwk('ES256', 'yuxi-1'))],
    };
    await registerPartner(registry, input);
    await expect(registerPartner(registry, input)).rejects.toBeInstanceOf(ConflictError);
  });

  it('detects a concurrent update instead of losing it', async () => {
    const results = await Promise.allSettled([
      setPartnerEndpoint(registry, 'ah-lock-yuxi', 'https://yuxi.example/hub/events'),
      setPartnerEndpoint(registry, 'ah-lock-yuxi', 'https://yuxi.example/v2/events'),
      setPartnerEndpoint(registry, 'ah-lock-yuxi', 'https://yuxi.example/v3/events'),
    ]);
    const stored = await registry.get('ah-lock-yuxi');
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won.length).toBeGreaterThanOrEqual(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ConflictError);
    }
    expect(stored?.version).toBe(1 + won.length);
  });

  it('will not retire the last usable key', async () => {
    await expect(retirePartnerKey(registry, 'ah-lock-yuxi', 'yuxi-1', new Date())).rejects.toThrow(
      'without a usable key',
    );
  });

  it('will not retire the current key while the only other one is not yet valid', async () => {
    const next = publicPart(generatePrivateJwk('ES256', 'yuxi-2'));
    await addPartnerKey(registry, 'ah-lock-yuxi', next, {
      notBefore: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await expect(retirePartnerKey(registry, 'ah-lock-yuxi', 'yuxi-1', new Date())).rejects.toThrow(
      'without a usable key',
    );
  });

  it('lists the registered partners', async () => {
    const ids = (await registry.list()).map((partner) => partner.partnerId);
    expect(ids).toEqual(expect.arrayContaining(['sh-jtw', 'js-jtt', 'zj-jtt', 'ah-jtt', 'ah-lock-yuxi']));
  });
});

describe('DynamoReplayGuard under SDK retries', () => {
  it('recognises its own write when the SDK retries a success whose answer was lost', async () => {
    const client = DynamoDBDocumentClient.from(t.hub.clients.dynamo);
    // As the SDK does: the first attempt writes but its answer is lost, the retry sends it again.
    const lossy = {
      send: async (command: Parameters<typeof client.send>[0]) => {
        await client.send(command as never);
        return client.send(command as never);
      },
    };
    const guard = new DynamoReplayGuard(lossy as never, t.hub.resources.tableNames.nonces);
    expect(await guard.claim('js-jtt', 'nonce-retried-aaaaaaaaaaaa', 5_000, 1_000)).toBe(true);
    // A real second use is still a replay.
    expect(await replay.claim('js-jtt', 'nonce-retried-aaaaaaaaaaaa', 5_000, 1_001)).toBe(false);
    expect(await guard.claim('js-jtt', 'nonce-retried-aaaaaaaaaaaa', 5_000, 1_002)).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ISSUERS } from '#infra/local/demo-partners.ts';
import { ConflictError } from '#lib/errors.ts';
import { registerPartner, setPartnerStatus } from '#lib/registry/partner-admin.ts';
import type { RegistryStore } from '#lib/registry/registry-store.ts';
import { RegistryTrustListSource } from '#lib/registry/trust-list-log.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';
import { generatePrivateJwk, publicPart } from '../unit/signing/fixtures.ts';

/**
 * The trust-list version and change log against the emulator: every registry write that matters
 * to verifiers takes exactly one version, in the same transaction as the partner write.
 */
let t: TestHub;
let registry: RegistryStore;

beforeAll(async () => {
  t = await startTestHub();
  registry = t.hub.registry;
});
afterAll(async () => {
  await t?.stop();
});

const register = (partnerId: string, roles: string[]) =>
  registerPartner(registry, {
    partnerId,
    name: partnerId,
    roles,
    divisionCode: partnerId.startsWith('sh-') ? '310000' : '330000',
    keys: [publicPart(generatePrivateJwk('ES256', `${partnerId}-1`))],
  });

describe('trust-list log', () => {
  it('recorded the demo issuers registering and publishing their keys, and nothing for the others', async () => {
    const head = await registry.trustList.head();
    expect(head.issuers).toEqual([...DEMO_ISSUERS].sort());
    const log = await registry.trustList.changes(0, head.version);
    expect(log.map((change) => change.version)).toEqual(
      Array.from({ length: head.version }, (_, i) => i + 1),
    );
    expect(new Set(log.map((change) => change.issuerId))).toEqual(new Set(DEMO_ISSUERS));
    expect(log.filter((change) => change.kind === 'registered')).toHaveLength(4);
    expect(log.filter((change) => change.kind === 'keys')).toHaveLength(4);
  });

  it('bumps for a new issuer and for its suspension, not for a non-issuer', async () => {
    const start = (await registry.trustList.head()).version;
    await register('zj-lock-changxing', ['lock-operator']);
    await setPartnerStatus(registry, 'zj-lock-changxing', 'suspended', 'drill');
    expect((await registry.trustList.head()).version).toBe(start);

    await register('sh-cert-centre', ['credential-issuer']);
    await setPartnerStatus(registry, 'sh-cert-centre', 'suspended', 'key ceremony audit');
    const head = await registry.trustList.head();
    expect(head.version).toBe(start + 2);
    expect(head.issuers).toContain('sh-cert-centre');
    expect(await registry.trustList.changes(start, head.version)).toEqual([
      expect.objectContaining({ version: start + 1, issuerId: 'sh-cert-centre', kind: 'registered' }),
      expect.objectContaining({ version: start + 2, issuerId: 'sh-cert-centre', kind: 'status' }),
    ]);
  });

  it('gives concurrent changes of different issuers distinct consecutive versions', async () => {
    const start = (await registry.trustList.head()).version;
    const results = await Promise.all(
      DEMO_ISSUERS.map((issuerId) =>
        registry.updateWithTrustList(issuerId, (partner) => ({ ...partner, name: `${partner.name} ` })),
      ),
    );
    const versions = results.map((result) => result.trustListVersion).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(versions).toEqual([start + 1, start + 2, start + 3, start + 4]);
    const log = await registry.trustList.changes(start, start + 4);
    expect(log.map((change) => change.issuerId).sort()).toEqual([...DEMO_ISSUERS].sort());
  });

  it('logs nothing when the partner write loses a race: the log never shows a change that did not happen', async () => {
    const start = (await registry.trustList.head()).version;
    const outcomes = await Promise.allSettled(
      ['suspended', 'active', 'suspended'].map((status, i) =>
        registry.update('sh-cert-centre', (partner) => ({
          ...partner,
          status: status as 'active' | 'suspended',
          name: `race ${i}`,
        })),
      ),
    );
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(won).toBeGreaterThanOrEqual(1);
    for (const outcome of lost) expect(outcome.reason).toBeInstanceOf(ConflictError);
    expect((await registry.trustList.head()).version).toBe(start + won);
  });

  it('serves a snapshot of the issuers the HEAD names, from the registry itself', async () => {
    const snapshot = await new RegistryTrustListSource(registry.trustList, registry).snapshot();
    expect(snapshot.version).toBe((await registry.trustList.head()).version);
    expect(snapshot.issuers.map((partner) => partner.partnerId).sort()).toEqual(
      [...DEMO_ISSUERS, 'sh-cert-centre'].sort(),
    );
    expect(snapshot.issuers.find((partner) => partner.partnerId === 'ah-jtt')?.issuingKeys?.[0]?.alg).toBe(
      'SM2SM3',
    );
  });

  it('drops a partner from the issuers when its role is withdrawn, and logs it as removed', async () => {
    const start = (await registry.trustList.head()).version;
    const write = await registry.updateWithTrustList('sh-cert-centre', (partner) => ({
      ...partner,
      roles: ['verifier'],
    }));
    expect(write.trustListVersion).toBe(start + 1);
    const head = await registry.trustList.head();
    expect(head.issuers).not.toContain('sh-cert-centre');
    expect(await registry.trustList.changes(start, head.version)).toEqual([
      expect.objectContaining({ issuerId: 'sh-cert-centre', kind: 'removed' }),
    ]);
  });
});

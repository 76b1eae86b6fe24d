import { beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '#lib/errors.ts';
import type { Partner } from '#lib/registry/partner.ts';
import { PartnerAdminError, registerPartner, setPartnerDivision } from '#lib/registry/partner-admin.ts';
import type { RegistryStore } from '#lib/registry/registry-store.ts';
import { generatePrivateJwk, publicPart } from '../signing/fixtures.ts';

/** The registry writes these use cases make, in memory. */
class MemoryRegistry implements Pick<RegistryStore, 'create' | 'update'> {
  readonly partners = new Map<string, Partner>();

  async create(partner: Omit<Partner, 'version' | 'updatedAt'>, now = new Date()): Promise<Partner> {
    const item: Partner = { ...partner, version: 1, updatedAt: now.toISOString() };
    this.partners.set(partner.partnerId, item);
    return item;
  }

  async update(
    partnerId: string,
    change: (current: Partner) => Omit<Partner, 'version' | 'updatedAt'>,
    now = new Date(),
  ): Promise<Partner> {
    const current = this.partners.get(partnerId);
    if (!current) throw new NotFoundError(`partner ${partnerId} is not registered`);
    const next: Partner = {
      ...change(current),
      partnerId,
      version: current.version + 1,
      updatedAt: now.toISOString(),
    };
    this.partners.set(partnerId, next);
    return next;
  }
}

const key = () => publicPart(generatePrivateJwk('ES256', 'k-1'));
let registry: MemoryRegistry;

beforeEach(() => {
  registry = new MemoryRegistry();
});

describe('registerPartner: jurisdiction', () => {
  it('records the GB/T 2260 division of a credential issuer', async () => {
    const partner = await registerPartner(registry, {
      partnerId: 'js-suzhou-jtj',
      name: '苏州市交通运输局',
      roles: ['credential-issuer', 'verifier'],
      divisionCode: '320500',
      keys: [key()],
    });
    expect(partner.divisionCode).toBe('320500');
    expect(registry.partners.get('js-suzhou-jtj')?.divisionCode).toBe('320500');
  });

  it('requires it for a credential issuer, and registers nothing without it', async () => {
    await expect(
      registerPartner(registry, {
        partnerId: 'js-suzhou-jtj',
        name: '苏州市交通运输局',
        roles: ['verifier', 'credential-issuer'],
        keys: [key()],
      }),
    ).rejects.toThrow(/credential issuer needs its jurisdiction.*--division/);
    expect(registry.partners.size).toBe(0);
  });

  it('leaves it optional for other roles, and checks it when given', async () => {
    const lock = await registerPartner(registry, {
      partnerId: 'ah-lock-yuxi',
      name: '裕溪船闸',
      roles: ['lock-operator'],
      keys: [key()],
    });
    expect(lock).not.toHaveProperty('divisionCode');
    const checkpoint = await registerPartner(registry, {
      partnerId: 'zj-checkpoint-jiaxing',
      name: '嘉兴综合检查站',
      roles: ['verifier'],
      divisionCode: '330400',
      keys: [key()],
    });
    expect(checkpoint.divisionCode).toBe('330400');
  });

  it.each(['32000', '3200000', '32000A', '000000', '910000', ''])(
    'refuses the division "%s"',
    async (bad) => {
      await expect(
        registerPartner(registry, {
          partnerId: 'js-jtt',
          name: '江苏省交通运输厅',
          roles: ['province', 'credential-issuer'],
          divisionCode: bad,
          keys: [key()],
        }),
      ).rejects.toBeInstanceOf(PartnerAdminError);
      expect(registry.partners.size).toBe(0);
    },
  );
});

describe('setPartnerDivision', () => {
  it('gives a partner registered before jurisdictions existed its division', async () => {
    await registry.create({
      partnerId: 'sh-jtw',
      name: '上海市交通委员会',
      roles: ['province', 'credential-issuer'],
      status: 'active',
      apiKeys: [],
    });
    const updated = await setPartnerDivision(registry, 'sh-jtw', '310000');
    expect(updated).toMatchObject({ divisionCode: '310000', version: 2, name: '上海市交通委员会' });
  });

  it('refuses a malformed division without writing, and an unknown partner', async () => {
    await expect(setPartnerDivision(registry, 'sh-jtw', '31')).rejects.toBeInstanceOf(PartnerAdminError);
    await expect(setPartnerDivision(registry, 'sh-jtw', '310000')).rejects.toBeInstanceOf(NotFoundError);
  });
});

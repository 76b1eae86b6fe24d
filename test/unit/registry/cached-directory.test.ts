import { describe, expect, it } from 'vitest';
import { CachedDirectory } from '#lib/registry/cached-directory.ts';
import type { Partner } from '#lib/registry/partner.ts';
import type { PartnerDirectory } from '#lib/registry/registry-store.ts';

const partner = (partnerId: string, status: Partner['status'] = 'active'): Partner => ({
  partnerId,
  name: partnerId,
  roles: ['verifier'],
  status,
  apiKeys: [],
  version: 1,
  updatedAt: '2026-01-01T00:00:00Z',
});

class CountingSource implements PartnerDirectory {
  reads = 0;
  fail = false;
  constructor(readonly partners: Map<string, Partner>) {}
  async get(id: string) {
    this.reads++;
    if (this.fail) throw new Error('table unavailable');
    return this.partners.get(id);
  }
}

describe('CachedDirectory', () => {
  it('serves from cache within the TTL and sees a suspension after it', async () => {
    let now = 0;
    const source = new CountingSource(new Map([['sh-jtw', partner('sh-jtw')]]));
    const cache = new CachedDirectory(source, { ttlMs: 30_000, now: () => now });
    expect((await cache.get('sh-jtw'))?.status).toBe('active');
    source.partners.set('sh-jtw', partner('sh-jtw', 'suspended'));
    now = 29_999;
    expect((await cache.get('sh-jtw'))?.status).toBe('active');
    expect(source.reads).toBe(1);
    now = 30_000;
    expect((await cache.get('sh-jtw'))?.status).toBe('suspended');
    expect(source.reads).toBe(2);
  });

  it('shares one read between concurrent misses', async () => {
    const source = new CountingSource(new Map([['sh-jtw', partner('sh-jtw')]]));
    const cache = new CachedDirectory(source, { ttlMs: 1_000 });
    await Promise.all([cache.get('sh-jtw'), cache.get('sh-jtw'), cache.get('sh-jtw')]);
    expect(source.reads).toBe(1);
  });

  it('remembers unknown partners only briefly', async () => {
    let now = 0;
    const source = new CountingSource(new Map());
    const cache = new CachedDirectory(source, { ttlMs: 30_000, negativeTtlMs: 5_000, now: () => now });
    expect(await cache.get('ghost')).toBeUndefined();
    await Promise.resolve();
    source.partners.set('ghost', partner('ghost'));
    now = 4_000;
    expect(await cache.get('ghost')).toBeUndefined();
    now = 5_001;
    expect((await cache.get('ghost'))?.partnerId).toBe('ghost');
  });

  it('does not cache a failed read', async () => {
    const source = new CountingSource(new Map([['sh-jtw', partner('sh-jtw')]]));
    const cache = new CachedDirectory(source, { ttlMs: 30_000 });
    source.fail = true;
    await expect(cache.get('sh-jtw')).rejects.toThrow('table unavailable');
    source.fail = false;
    expect((await cache.get('sh-jtw'))?.partnerId).toBe('sh-jtw');
  });

  it('evicts the oldest entry beyond maxEntries', async () => {
    const source = new CountingSource(new Map());
    const cache = new CachedDirectory(source, { ttlMs: 30_000, maxEntries: 2 });
    await cache.get('a-1');
    await cache.get('b-2');
    await cache.get('c-3');
    const reads = source.reads;
    await cache.get('c-3');
    await cache.get('b-2');
    expect(source.reads).toBe(reads);
    await cache.get('a-1');
    expect(source.reads).toBe(reads + 1);
  });
});

import type { Partner } from '#lib/registry/partner.ts';
import type { PartnerDirectory } from '#lib/registry/registry-store.ts';

export interface CachedDirectoryOptions {
  /** How long a partner read from the registry is trusted. Bounds how late a suspension bites. */
  ttlMs: number;
  /** How long "no such partner" is remembered, so unknown ids cannot hammer the table. */
  negativeTtlMs?: number;
  /** Most partners remembered at once; unknown ids sent by strangers must not grow memory. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * TTL cache in front of the registry, per warm function instance. A suspension or key rotation
 * takes effect everywhere within `ttlMs` (the hub's default is 30 s; config refuses more than 60 s).
 * Concurrent misses for one partner share a single read.
 */
export class CachedDirectory implements PartnerDirectory {
  private readonly entries = new Map<string, { expiresAt: number; value: Promise<Partner | undefined> }>();
  private readonly now: () => number;

  constructor(
    private readonly source: PartnerDirectory,
    private readonly options: CachedDirectoryOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get(partnerId: string): Promise<Partner | undefined> {
    const cached = this.entries.get(partnerId);
    if (cached && cached.expiresAt > this.now()) return cached.value;
    const value = this.source.get(partnerId);
    const entry = { expiresAt: this.now() + this.options.ttlMs, value };
    this.entries.delete(partnerId);
    this.entries.set(partnerId, entry);
    if (this.entries.size > (this.options.maxEntries ?? 1_000)) {
      // Maps iterate in insertion order: the first key is the least recently fetched.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    value.then(
      (partner) => {
        if (!partner)
          entry.expiresAt = this.now() + Math.min(this.options.negativeTtlMs ?? 5_000, this.options.ttlMs);
      },
      // A failed read must not be cached: the next caller tries again.
      () => {
        if (this.entries.get(partnerId) === entry) this.entries.delete(partnerId);
      },
    );
    return value;
  }
}

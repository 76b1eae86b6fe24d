import { describe, expect, it } from 'vitest';
import { ValidationError } from '#lib/errors.ts';
import { LicenceNotIssuerError } from '#lib/licences/licence-errors.ts';
import type { RecognitionEvent } from '#lib/licences/licence-store.ts';
import { listRecognitions } from '#lib/licences/recognitions.ts';
import { MemoryLicenceStore } from './memory-licence-store.ts';

const NOW = new Date('2026-12-03T08:00:00Z');

function event(n: number, overrides: Partial<RecognitionEvent> = {}): RecognitionEvent {
  return {
    eventId: `event-${String(n).padStart(16, '0')}`,
    issuerId: 'ah-jtt',
    licenceNo: 'AH340503202300218',
    verifier: 'js-jianbi-lock',
    decision: 'recognised',
    verifiedAt: new Date(NOW.getTime() - n * 3_600_000).toISOString(),
    credentialHash: 'h'.repeat(43),
    ...overrides,
  };
}

async function storeWith(events: RecognitionEvent[]): Promise<MemoryLicenceStore> {
  const store = new MemoryLicenceStore();
  for (const e of events) await store.recordRecognition(e);
  return store;
}

describe('listRecognitions', () => {
  it('lets only the issuer list the events of its licences', async () => {
    const store = await storeWith([event(1)]);
    await expect(
      listRecognitions({ caller: { partnerId: 'sh-jtw' }, issuerId: 'ah-jtt' }, { store, now: () => NOW }),
    ).rejects.toBeInstanceOf(LicenceNotIssuerError);
  });

  it('defaults to the last 7 days and leaves the issuer out of each item', async () => {
    const store = await storeWith([event(1), event(2), event(24 * 8)]);
    const page = await listRecognitions(
      { caller: { partnerId: 'ah-jtt' }, issuerId: 'ah-jtt' },
      { store, now: () => NOW },
    );
    expect(page.from).toBe('2026-11-26T08:00:00.000Z');
    expect(page.to).toBe(NOW.toISOString());
    expect(page.items.map((item) => item.eventId)).toEqual([event(2).eventId, event(1).eventId]);
    expect(page.items[0]).not.toHaveProperty('issuerId');
  });

  it('filters by licence and pages with the cursor', async () => {
    const store = await storeWith([event(1), event(2), event(3), event(4, { licenceNo: 'OTHER' })]);
    const ports = { store, now: () => NOW };
    const first = await listRecognitions(
      { caller: { partnerId: 'ah-jtt' }, issuerId: 'ah-jtt', licenceNo: 'AH340503202300218', limit: '2' },
      ports,
    );
    expect(first.items).toHaveLength(2);
    expect(first.cursor).toBeDefined();
    const second = await listRecognitions(
      {
        caller: { partnerId: 'ah-jtt' },
        issuerId: 'ah-jtt',
        licenceNo: 'AH340503202300218',
        limit: '2',
        cursor: first.cursor as string,
      },
      ports,
    );
    expect(second.items.map((item) => item.eventId)).toEqual([event(1).eventId]);
    expect(second.cursor).toBeUndefined();
  });

  it('bounds the range and the page size', async () => {
    const store = await storeWith([]);
    const ports = { store, now: () => NOW };
    const attempt = (query: Record<string, string>) =>
      listRecognitions({ caller: { partnerId: 'ah-jtt' }, issuerId: 'ah-jtt', ...query }, ports).catch(
        (error: unknown) => error as ValidationError,
      );
    const pointers = async (query: Record<string, string>) =>
      ((await attempt(query)) as ValidationError).errors.map((e) => e.pointer);
    expect(await attempt({ from: '2026-10-01T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toBeInstanceOf(
      ValidationError,
    );
    expect(await pointers({ from: '2026-10-01T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toEqual(['/from']);
    expect(await pointers({ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toEqual(['/from']);
    expect(await pointers({ limit: '201' })).toEqual(['/limit']);
    expect(await pointers({ limit: '0' })).toEqual(['/limit']);
  });
});

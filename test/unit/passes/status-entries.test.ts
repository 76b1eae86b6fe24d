import { describe, expect, it } from 'vitest';
import { StatusBitstring } from '#lib/credentials/status-list.ts';
import type { IssuerStatusLists, StatusPurpose } from '#lib/credentials/status-list-store.ts';
import {
  allocateStatusIndices,
  type StatusAuditRecord,
  StatusIndexBoundToLicenceError,
  StatusIndexUnallocatedError,
  StatusListOwnerOnlyError,
  type StatusListWriter,
  setStatusEntry,
} from '#lib/passes/status-entries.ts';

class MemoryStore implements StatusListWriter {
  readonly lists: IssuerStatusLists = {
    issuerId: 'sh-jtw',
    revocation: StatusBitstring.create(),
    suspension: StatusBitstring.create(),
    allocated: StatusBitstring.create(),
    licences: StatusBitstring.create(),
    version: 0,
    updatedAt: new Date(0).toISOString(),
  };
  next = 1_000;
  async get() {
    return this.lists;
  }
  async allocate(_issuerId: string, count: number) {
    return Array.from({ length: count }, () => {
      this.next += 7;
      this.lists.allocated.set(this.next, true);
      return this.next;
    });
  }
  async setStatus(_issuerId: string, index: number, purpose: StatusPurpose, value: boolean) {
    const before = this.lists[purpose].get(index);
    this.lists[purpose].set(index, value);
    return before !== value;
  }
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('status list management by the issuer', () => {
  it('allocates indices for the caller itself only', async () => {
    const store = new MemoryStore();
    const answer = await allocateStatusIndices(
      { callerId: 'sh-jtw', issuerId: 'sh-jtw', count: 3 },
      { store },
    );
    expect(answer).toEqual({ issuerId: 'sh-jtw', indices: [1_007, 1_014, 1_021] });
    const error = await failureOf(
      allocateStatusIndices({ callerId: 'js-jtt', issuerId: 'sh-jtw', count: 1 }, { store }),
    );
    expect(error).toBeInstanceOf(StatusListOwnerOnlyError);
    expect(error).toMatchObject({ status: 403, code: 'status-list-owner-only' });
  });

  it('sets, reports idempotent repeats and audits each change with its reason', async () => {
    const store = new MemoryStore();
    const [index] = await store.allocate('sh-jtw', 1);
    const audit: StatusAuditRecord[] = [];
    const ports = { store, audit: (record: StatusAuditRecord) => audit.push(record) };
    const entry = {
      index: index as number,
      purpose: 'suspension' as const,
      value: true,
      reason: '持证人挂失',
    };
    const input = { callerId: 'sh-jtw', issuerId: 'sh-jtw', entry, correlationId: 'c-1' };
    expect(await setStatusEntry(input, ports)).toEqual({
      issuerId: 'sh-jtw',
      index,
      purpose: 'suspension',
      value: true,
      changed: true,
    });
    expect((await setStatusEntry(input, ports)).changed).toBe(false);
    expect(store.lists.suspension.get(index as number)).toBe(true);
    expect(audit).toEqual([
      expect.objectContaining({ reason: '持证人挂失', changed: true, correlationId: 'c-1' }),
      expect.objectContaining({ changed: false }),
    ]);
  });

  it("refuses another issuer's list (403) and an index never allocated (409), changing nothing", async () => {
    const store = new MemoryStore();
    const audit: StatusAuditRecord[] = [];
    const ports = { store, audit: (record: StatusAuditRecord) => audit.push(record) };
    const entry = { index: 5, purpose: 'revocation' as const, value: true, reason: 'r' };
    expect(
      await failureOf(
        setStatusEntry({ callerId: 'js-jtt', issuerId: 'sh-jtw', entry, correlationId: 'c' }, ports),
      ),
    ).toBeInstanceOf(StatusListOwnerOnlyError);
    const unallocated = await failureOf(
      setStatusEntry({ callerId: 'sh-jtw', issuerId: 'sh-jtw', entry, correlationId: 'c' }, ports),
    );
    expect(unallocated).toBeInstanceOf(StatusIndexUnallocatedError);
    expect(unallocated).toMatchObject({ status: 409, code: 'status-index-unallocated' });
    expect(store.lists.revocation.get(5)).toBe(false);
    expect(audit).toEqual([]);
  });

  it('refuses (409) to flip the bits of an index that belongs to a licence', async () => {
    const store = new MemoryStore();
    const audit: StatusAuditRecord[] = [];
    const [index] = await store.allocate('sh-jtw', 1);
    store.lists.licences.set(index as number, true);
    const entry = { index: index as number, purpose: 'suspension' as const, value: true, reason: 'r' };
    const refused = await failureOf(
      setStatusEntry(
        { callerId: 'sh-jtw', issuerId: 'sh-jtw', entry, correlationId: 'c' },
        { store, audit: (record: StatusAuditRecord) => audit.push(record) },
      ),
    );
    expect(refused).toBeInstanceOf(StatusIndexBoundToLicenceError);
    expect(refused).toMatchObject({ status: 409, code: 'status-index-bound-to-licence' });
    expect(store.lists.suspension.get(index as number)).toBe(false);
    expect(audit).toEqual([]);
  });
});

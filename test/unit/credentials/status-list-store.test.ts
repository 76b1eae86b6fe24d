import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { StatusBitstring } from '#lib/credentials/status-list.ts';
import { StatusListExhaustedError, StatusListStore } from '#lib/credentials/status-list-store.ts';

/** A full list is the caller's problem to hear about (409), not a 500. Unit level: a fake client. */
describe('StatusListStore.allocate', () => {
  it('answers status-list-full when every index is taken', async () => {
    const full = StatusBitstring.create();
    for (let index = 0; index < full.length; index++) full.set(index, true);
    const empty = StatusBitstring.create().encode();
    const item = {
      pk: 'ISSUER#sh-jtw',
      revocation: empty,
      suspension: empty,
      allocated: full.encode(),
      version: 7,
      updatedAt: '2026-12-01T00:00:00Z',
    };
    const writes: unknown[] = [];
    const documents = {
      send: async (command: unknown) => {
        if (command instanceof GetCommand) return { Item: item };
        writes.push(command);
        return {};
      },
    };
    const store = new StatusListStore(documents as never, 'status-lists');
    const error = await store.allocate('sh-jtw', 1).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(StatusListExhaustedError);
    expect(error).toMatchObject({ status: 409, code: 'status-list-full' });
    expect(writes).toEqual([]);
  });
});

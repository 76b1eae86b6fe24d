import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '#lib/errors.ts';
import { LicenceConcurrentChangeError } from '#lib/licences/licence-errors.ts';
import type { HistoryEntry } from '#lib/licences/licence-state.ts';
import { DynamoLicenceStore, type LicenceHead, type RecognitionEvent } from '#lib/licences/licence-store.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

/** The `licences` table adapter against the emulator: transactions, history reads, event pages. */
let t: TestHub;
let store: DynamoLicenceStore;

beforeAll(async () => {
  t = await startTestHub();
  store = new DynamoLicenceStore(
    DynamoDBDocumentClient.from(t.hub.clients.dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    t.hub.resources.tableNames.licences,
  );
});
afterAll(async () => {
  await t?.stop();
});

const NO = '沪交运管许可浦字310115000001号';
const head = (revision: number, status: LicenceHead['status'], at: string): LicenceHead => ({
  issuerId: 'sh-jtw',
  licenceNo: NO,
  licenceType: 'road-transport-operating-permit',
  version: 1,
  status,
  validFrom: '2024-03-18',
  validTo: '2028-03-17',
  documentHash: 'd'.repeat(43),
  payloadHash: 'p'.repeat(43),
  statusIndex: 4242,
  revision,
  publishedAt: '2026-12-01T00:00:00.000Z',
  updatedAt: at,
});
const entry = (seq: number, status: HistoryEntry['status'], at: string): HistoryEntry => ({
  version: 1,
  status,
  validFrom: '2024-03-18',
  validTo: '2028-03-17',
  seq,
  at,
  action: seq === 1 ? 'publish' : status === 'suspended' ? 'suspend' : 'reinstate',
  by: 'sh-jtw',
});

describe('DynamoLicenceStore: changes', () => {
  it('writes HEAD, version and history together, and only on the revision read', async () => {
    const at = '2026-12-01T00:00:00.000Z';
    await store.commit({
      head: head(1, 'active', at),
      version: {
        issuerId: 'sh-jtw',
        licenceNo: NO,
        version: 1,
        document: 'a.b.c',
        documentHash: 'd'.repeat(43),
        payloadHash: 'p'.repeat(43),
        kid: 'sh-jtw-issuing-2026-01',
        alg: 'ES256',
        publishedAt: at,
      },
      history: entry(1, 'active', at),
    });
    expect(await store.head('sh-jtw', NO)).toEqual(head(1, 'active', at));
    expect((await store.version('sh-jtw', NO, 1))?.document).toBe('a.b.c');

    // A second "new licence" and a change on a stale revision both lose, and leave nothing behind.
    await expect(
      store.commit({ head: head(1, 'active', at), history: entry(1, 'active', '2026-12-01T00:00:01.000Z') }),
    ).rejects.toBeInstanceOf(LicenceConcurrentChangeError);
    const suspendAt = '2026-12-02T02:00:00.000Z';
    await store.commit({
      head: head(2, 'suspended', suspendAt),
      expectedRevision: 1,
      history: entry(2, 'suspended', suspendAt),
    });
    await expect(
      store.commit({
        head: head(2, 'active', suspendAt),
        expectedRevision: 1,
        history: entry(2, 'active', suspendAt),
      }),
    ).rejects.toBeInstanceOf(LicenceConcurrentChangeError);
    expect((await store.head('sh-jtw', NO))?.status).toBe('suspended');
    expect(await store.stateAt('sh-jtw', NO, new Date('2026-12-01T00:00:01.000Z'))).toMatchObject({ seq: 1 });
  });

  it('admits exactly one of several concurrent changes', async () => {
    const at = '2026-12-02T03:00:00.000Z';
    const results = await Promise.allSettled(
      [0, 1, 2].map((i) =>
        store.commit({
          head: head(3, i % 2 === 0 ? 'active' : 'suspended', at),
          expectedRevision: 2,
          history: { ...entry(3, 'active', at), reason: `writer ${i}` },
        }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('reads the state in force at a moment: the last entry at or before it', async () => {
    expect(await store.stateAt('sh-jtw', NO, new Date('2026-11-30T23:59:59.999Z'))).toBeUndefined();
    expect(await store.stateAt('sh-jtw', NO, new Date('2026-12-01T00:00:00.000Z'))).toMatchObject({
      seq: 1,
      status: 'active',
    });
    expect(await store.stateAt('sh-jtw', NO, new Date('2026-12-02T01:59:59.999Z'))).toMatchObject({ seq: 1 });
    expect(await store.stateAt('sh-jtw', NO, new Date('2026-12-02T02:00:00.000Z'))).toMatchObject({
      seq: 2,
      status: 'suspended',
    });
    expect(await store.stateAt('sh-jtw', NO, new Date('2027-01-01T00:00:00.000Z'))).toMatchObject({ seq: 3 });
  });
});

describe('DynamoLicenceStore: recognition events', () => {
  const event = (i: number, day: string, licenceNo = NO): RecognitionEvent => ({
    eventId: `evt${String(i).padStart(19, '0')}`,
    issuerId: 'sh-jtw',
    licenceNo,
    licenceType: 'road-transport-operating-permit',
    version: 1,
    verifier: 'js-jianbi-lock',
    decision: 'recognised',
    purpose: '过闸登记',
    verifiedAt: `${day}T0${i % 10}:00:00.000Z`,
    credentialHash: 'h'.repeat(43),
  });

  beforeAll(async () => {
    // Five events over three days (one day with none in between), one of them another licence's.
    const events = [
      event(1, '2026-11-20'),
      event(2, '2026-11-20', '310115000123'),
      event(3, '2026-11-22'),
      event(4, '2026-11-22'),
      event(5, '2026-11-23'),
    ];
    for (const e of events) await store.recordRecognition(e);
  });

  async function all(query: {
    licenceNo?: string;
    limit: number;
  }): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.recognitions({
        issuerId: 'sh-jtw',
        from: new Date('2026-11-19T00:00:00Z'),
        to: new Date('2026-11-24T00:00:00Z'),
        ...query,
        ...(cursor === undefined ? {} : { cursor }),
      });
      ids.push(...page.items.map((e) => e.eventId.slice(-1)));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);
    return { ids, pages };
  }

  it('lists an issuer across day partitions, oldest first, page by page', async () => {
    expect((await all({ limit: 50 })).ids).toEqual(['1', '2', '3', '4', '5']);
    const paged = await all({ limit: 2 });
    expect(paged.ids).toEqual(['1', '2', '3', '4', '5']);
    expect(paged.pages).toBeGreaterThanOrEqual(3);
  });

  it('lists one licence from its own partition', async () => {
    expect((await all({ licenceNo: NO, limit: 2 })).ids).toEqual(['1', '3', '4', '5']);
    expect((await all({ licenceNo: '310115000123', limit: 2 })).ids).toEqual(['2']);
  });

  it('keeps to [from, to)', async () => {
    const page = await store.recognitions({
      issuerId: 'sh-jtw',
      from: new Date('2026-11-22T03:00:00.000Z'),
      to: new Date('2026-11-23T05:00:00.000Z'),
      limit: 50,
    });
    expect(page.items.map((e) => e.eventId.slice(-1))).toEqual(['3', '4']);
  });

  it('refuses a cursor it did not hand out for this range', async () => {
    const query = {
      issuerId: 'sh-jtw',
      from: new Date('2026-11-19T00:00:00Z'),
      to: new Date('2026-11-24T00:00:00Z'),
      limit: 1,
    };
    const first = await store.recognitions(query);
    const cursor = first.cursor as string;
    await expect(store.recognitions({ ...query, cursor: `${cursor}x` })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const foreign = Buffer.from(
      JSON.stringify({ day: '2025-01-01', key: '2025-01-01T00:00:00.000Z#x' }),
    ).toString('base64url');
    await expect(store.recognitions({ ...query, cursor: foreign })).rejects.toBeInstanceOf(ValidationError);
    const outOfRange = Buffer.from(JSON.stringify({ key: 'RECOG#2030-01-01' })).toString('base64url');
    await expect(store.recognitions({ ...query, licenceNo: NO, cursor: outOfRange })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(store.recognitions({ ...query, cursor: '!!' })).rejects.toBeInstanceOf(ValidationError);
  });
});

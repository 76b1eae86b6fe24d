import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '#lib/errors.ts';
import { LicenceDocumentChecker } from '#lib/licences/licence-document.ts';
import {
  LicenceNotFoundError,
  LicenceNotIssuerError,
  LicenceRenewalError,
  LicenceRevokedError,
} from '#lib/licences/licence-errors.ts';
import { changeLicenceStatus, licenceStatus, syncStatusBits } from '#lib/licences/licence-status.ts';
import type { LicencePayload } from '#lib/licences/licence-types.ts';
import { publishLicence } from '#lib/licences/publish-licence.ts';
import { licenceFixtures } from '../../fixtures/licences/index.ts';
import { addIssuer, MemoryDirectory, MemoryStatusLists, type TestIssuer } from './licence-test-kit.ts';
import { MemoryLicenceStore } from './memory-licence-store.ts';

const vehicle = licenceFixtures['vehicle-transport-certificate'][1]
  ?.payload as LicencePayload<'vehicle-transport-certificate'>;
const NO = vehicle.licenceNo;

let clock: Date;
let store: MemoryLicenceStore;
let lists: MemoryStatusLists;
let zj: TestIssuer;
let statusIndex: number;

const ports = () => ({ store, bits: lists, now: () => clock });
const change = (
  action: 'suspend' | 'reinstate' | 'revoke' | 'renew',
  options: { caller?: string; validTo?: string } = {},
) =>
  changeLicenceStatus(
    {
      caller: { partnerId: options.caller ?? 'zj-jtt' },
      issuerId: 'zj-jtt',
      licenceNo: NO,
      action,
      reason: `${action} for the test`,
      ...(options.validTo === undefined ? {} : { validTo: options.validTo }),
    },
    ports(),
  );
const statusAt = (at?: string, caller = 'sh-jtw') =>
  licenceStatus(
    { caller: { partnerId: caller }, issuerId: 'zj-jtt', licenceNo: NO, ...(at === undefined ? {} : { at }) },
    ports(),
  );

beforeEach(async () => {
  const directory = new MemoryDirectory();
  store = new MemoryLicenceStore();
  lists = new MemoryStatusLists();
  zj = await addIssuer(directory, 'zj-jtt', 'ES256');
  clock = new Date('2026-12-01T00:00:00Z');
  const { answer } = await publishLicence(
    { caller: { partnerId: 'zj-jtt' }, document: await zj.sign(vehicle) },
    {
      checker: new LicenceDocumentChecker(directory),
      store,
      allocate: (issuerId, count) => lists.allocate(issuerId, count),
      now: () => clock,
    },
  );
  statusIndex = answer.statusIndex;
});

describe('changeLicenceStatus', () => {
  it('lets only the issuer change a licence', async () => {
    await expect(change('suspend', { caller: 'sh-jtw' })).rejects.toBeInstanceOf(LicenceNotIssuerError);
    expect((await store.head('zj-jtt', NO))?.status).toBe('active');
  });

  it('answers 404 for a licence never published', async () => {
    await expect(
      changeLicenceStatus(
        {
          caller: { partnerId: 'zj-jtt' },
          issuerId: 'zj-jtt',
          licenceNo: '999',
          action: 'suspend',
          reason: 'x',
        },
        ports(),
      ),
    ).rejects.toBeInstanceOf(LicenceNotFoundError);
  });

  it('suspends and reinstates, with history and the suspension bit following', async () => {
    clock = new Date('2026-12-02T00:00:00Z');
    const suspended = await change('suspend');
    expect(suspended).toMatchObject({
      changed: true,
      status: { status: 'suspended', standing: 'suspended', valid: false },
    });
    expect(suspended.status.statusReason).toBe('suspend for the test');
    expect(await lists.bits('zj-jtt', statusIndex)).toEqual({ revocation: false, suspension: true });

    clock = new Date('2026-12-03T00:00:00Z');
    const reinstated = await change('reinstate');
    expect(reinstated.status).toMatchObject({ status: 'active', valid: true });
    expect(await lists.bits('zj-jtt', statusIndex)).toEqual({ revocation: false, suspension: false });
    expect(
      store.histories.get(`zj-jtt#${NO}`)?.map((entry) => [entry.action, entry.status, entry.seq]),
    ).toEqual([
      ['publish', 'active', 1],
      ['suspend', 'suspended', 2],
      ['reinstate', 'active', 3],
    ]);
    // Each entry is a snapshot of the state plus who, when, why: nothing else of HEAD.
    expect(Object.keys(store.histories.get(`zj-jtt#${NO}`)?.[1] ?? {}).sort()).toEqual(
      ['action', 'at', 'by', 'reason', 'seq', 'status', 'validFrom', 'validTo', 'version'].sort(),
    );
  });

  it('revokes for good: bits set, and reinstate, renew or suspend refused', async () => {
    await change('suspend');
    await change('revoke');
    expect(await lists.bits('zj-jtt', statusIndex)).toEqual({ revocation: true, suspension: false });
    await expect(change('reinstate')).rejects.toBeInstanceOf(LicenceRevokedError);
    await expect(change('renew', { validTo: '2035-01-01' })).rejects.toBeInstanceOf(LicenceRevokedError);
    await expect(change('suspend')).rejects.toBeInstanceOf(LicenceRevokedError);
    expect((await change('revoke')).changed).toBe(false);
  });

  it('treats a retry as no change but repairs the status-list bits', async () => {
    await change('suspend');
    const lost = await lists.get('zj-jtt');
    lost.suspension.set(statusIndex, false); // the bit write of the first attempt "failed"
    const retry = await change('suspend');
    expect(retry.changed).toBe(false);
    expect(store.histories.get(`zj-jtt#${NO}`)).toHaveLength(2);
    expect(await lists.bits('zj-jtt', statusIndex)).toEqual({ revocation: false, suspension: true });
  });

  it('renews: validTo extended, status kept, shortening refused', async () => {
    const renewed = await change('renew', { validTo: '2032-09-22' });
    expect(renewed.status).toMatchObject({ validTo: '2032-09-22', status: 'active' });
    await expect(change('renew', { validTo: '2031-01-01' })).rejects.toBeInstanceOf(LicenceRenewalError);
  });

  it('keeps history ordered when this instance clock is behind the last change', async () => {
    clock = new Date('2026-12-05T00:00:00Z');
    await change('suspend');
    clock = new Date('2026-12-04T00:00:00Z');
    await change('reinstate');
    const history = store.histories.get(`zj-jtt#${NO}`) ?? [];
    expect(history.map((entry) => entry.at)).toEqual([
      '2026-12-01T00:00:00.000Z',
      '2026-12-05T00:00:00.000Z',
      '2026-12-05T00:00:00.000Z',
    ]);
    expect((await statusAt())?.status.status).toBe('active');
  });
});

describe('syncStatusBits', () => {
  it('goes round again when HEAD moved while it wrote, leaving the bits of the last state', async () => {
    await change('suspend');
    const realSet = lists.setStatus.bind(lists);
    let raced = false;
    lists.setStatus = async (issuerId, index, purpose, value) => {
      const result = await realSet(issuerId, index, purpose, value);
      if (!raced) {
        raced = true; // another instance reinstates between our bit write and our re-read
        const head = store.heads.get(`zj-jtt#${NO}`);
        if (head) Object.assign(head, { status: 'active', revision: head.revision + 1 });
      }
      return result;
    };
    (await lists.get('zj-jtt')).suspension.set(statusIndex, false);
    await syncStatusBits('zj-jtt', NO, { store, bits: lists });
    expect(await lists.bits('zj-jtt', statusIndex)).toEqual({ revocation: false, suspension: false });
  });
});

describe('licenceStatus ?at=', () => {
  beforeEach(async () => {
    clock = new Date('2026-12-02T02:00:00Z');
    await change('suspend');
    clock = new Date('2026-12-02T06:00:00Z');
    await change('reinstate');
    clock = new Date('2026-12-03T08:00:00Z');
  });

  it('answers not-published before the licence was published', async () => {
    expect((await statusAt('2026-11-30T23:59:59Z')).status).toEqual({
      standing: 'not-published',
      valid: false,
      at: '2026-11-30T23:59:59.000Z',
    });
    expect((await statusAt('2026-12-01T00:00:00Z')).status.valid).toBe(true);
  });

  it('answers from the history at the boundaries of a suspension', async () => {
    expect((await statusAt('2026-12-02T01:59:59.999Z')).status).toMatchObject({
      standing: 'valid',
      version: 1,
    });
    expect((await statusAt('2026-12-02T02:00:00.000Z')).status).toMatchObject({
      standing: 'suspended',
      valid: false,
    });
    expect((await statusAt('2026-12-02T05:59:59.999Z')).status.standing).toBe('suspended');
    expect((await statusAt('2026-12-02T06:00:00.000Z')).status.standing).toBe('valid');
    expect((await statusAt('2026-12-02T10:00:00+08:00')).status.standing).toBe('suspended');
  });

  it('uses the validity in force at the moment, not a later renewal', async () => {
    await change('renew', { validTo: '2035-09-22' });
    expect((await statusAt()).status.validTo).toBe('2035-09-22');
    expect((await statusAt('2026-12-02T12:00:00Z')).status.validTo).toBe(vehicle.validTo);
  });

  it('shows the issuer its reasons and nobody else', async () => {
    expect((await statusAt('2026-12-02T03:00:00Z', 'zj-jtt')).status.statusReason).toBe(
      'suspend for the test',
    );
    expect((await statusAt('2026-12-02T03:00:00Z', 'sh-jtw')).status).not.toHaveProperty('statusReason');
    expect((await statusAt(undefined, 'sh-jtw')).status).not.toHaveProperty('statusReason');
    expect((await statusAt(undefined, 'zj-jtt')).status.statusReason).toBe('reinstate for the test');
  });

  it('refuses a moment in the future', async () => {
    await expect(statusAt('2026-12-04T00:00:00Z')).rejects.toBeInstanceOf(ValidationError);
  });

  it('answers 404 for an unknown licence', async () => {
    await expect(
      licenceStatus({ caller: { partnerId: 'sh-jtw' }, issuerId: 'zj-jtt', licenceNo: 'X1' }, ports()),
    ).rejects.toBeInstanceOf(LicenceNotFoundError);
  });

  it('reads expiry from the validity of the version in force', async () => {
    clock = new Date('2031-01-01T00:00:00Z');
    expect((await statusAt()).status).toMatchObject({ standing: 'expired', valid: false });
  });
});

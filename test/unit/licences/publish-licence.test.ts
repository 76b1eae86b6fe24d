import { beforeEach, describe, expect, it } from 'vitest';
import { LicenceDocumentChecker } from '#lib/licences/licence-document.ts';
import {
  LicenceDocumentRejectedError,
  LicenceInvalidError,
  LicenceNotIssuerError,
  LicenceRevokedError,
  LicenceVersionConflictError,
} from '#lib/licences/licence-errors.ts';
import type { LicencePayload } from '#lib/licences/licence-types.ts';
import { type PublishLicencePorts, publishLicence } from '#lib/licences/publish-licence.ts';
import { licenceFixtures } from '../../fixtures/licences/index.ts';
import {
  addIssuer,
  MemoryDirectory,
  MemoryStatusLists,
  type TestIssuer,
  variant,
} from './licence-test-kit.ts';
import { MemoryLicenceStore } from './memory-licence-store.ts';

const NOW = new Date('2026-12-03T08:00:00Z');
const permit = licenceFixtures['road-transport-operating-permit'][0]
  ?.payload as LicencePayload<'road-transport-operating-permit'>;

let directory: MemoryDirectory;
let store: MemoryLicenceStore;
let lists: MemoryStatusLists;
let ports: PublishLicencePorts;
let sh: TestIssuer;
let js: TestIssuer;

beforeEach(async () => {
  directory = new MemoryDirectory();
  store = new MemoryLicenceStore();
  lists = new MemoryStatusLists();
  sh = await addIssuer(directory, 'sh-jtw', 'ES256');
  js = await addIssuer(directory, 'js-jtt', 'EdDSA');
  ports = {
    checker: new LicenceDocumentChecker(directory),
    store,
    allocate: (issuerId, count) => lists.allocate(issuerId, count),
    now: () => NOW,
  };
});

const publishAs = (caller: string, document: string) =>
  publishLicence({ caller: { partnerId: caller }, document }, ports);

describe('publishLicence: versions', () => {
  it('publishes version 1 with a random status index, and 201 (created)', async () => {
    const { created, answer } = await publishAs('sh-jtw', await sh.sign(permit));
    expect(created).toBe(true);
    expect(answer).toMatchObject({ outcome: 'published', issuer: 'sh-jtw', version: 1, status: 'active' });
    expect((await lists.get('sh-jtw')).allocated.get(answer.statusIndex)).toBe(true);
    expect(store.histories.get(`sh-jtw#${permit.licenceNo}`)?.map((entry) => entry.action)).toEqual([
      'publish',
    ]);
  });

  it('refuses a first version other than 1', async () => {
    const document = await sh.sign(variant(permit, (l) => (l.version = 2)));
    await expect(publishAs('sh-jtw', document)).rejects.toBeInstanceOf(LicenceVersionConflictError);
  });

  it('takes exactly current + 1 next, keeping the status index', async () => {
    const first = await publishAs('sh-jtw', await sh.sign(permit));
    const v2 = variant(permit, (l) => {
      l.version = 2;
      l.fields.address = '上海市浦东新区川沙路5558弄14号';
    });
    const second = await publishAs('sh-jtw', await sh.sign(v2));
    expect(second.answer).toMatchObject({
      outcome: 'published',
      version: 2,
      statusIndex: first.answer.statusIndex,
    });
    await expect(
      publishAs('sh-jtw', await sh.sign(variant(permit, (l) => (l.version = 4)))),
    ).rejects.toBeInstanceOf(LicenceVersionConflictError);
    expect((await store.head('sh-jtw', permit.licenceNo))?.version).toBe(2);
  });

  it('treats the same document again as a 200 no-op, even an older version', async () => {
    const v1 = await sh.sign(permit);
    await publishAs('sh-jtw', v1);
    const again = await publishAs('sh-jtw', v1);
    expect(again).toMatchObject({ created: false, answer: { outcome: 'unchanged', version: 1 } });
    await publishAs('sh-jtw', await sh.sign(variant(permit, (l) => (l.version = 2))));
    expect((await publishAs('sh-jtw', v1)).answer.outcome).toBe('unchanged');
    expect(store.histories.get(`sh-jtw#${permit.licenceNo}`)).toHaveLength(2);
  });

  it('refuses a different document under a version already published', async () => {
    await publishAs('sh-jtw', await sh.sign(permit));
    const other = await sh.sign(variant(permit, (l) => (l.fields.economicType = 'PRIVATE')));
    await expect(publishAs('sh-jtw', other)).rejects.toBeInstanceOf(LicenceVersionConflictError);
  });

  it('refuses a new version that changes the licence type', async () => {
    const vehicle = licenceFixtures['vehicle-transport-certificate'][0]?.payload as LicencePayload;
    const practitioner = licenceFixtures['practitioner-qualification'][2]?.payload as LicencePayload;
    await publishAs('sh-jtw', await sh.sign(vehicle));
    // Both types accept a 12-digit number: same licence key, different type.
    const retyped = variant(practitioner, (l) => {
      l.licenceNo = vehicle.licenceNo;
      l.version = 2;
    });
    const error = await publishAs('sh-jtw', await sh.sign(retyped)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LicenceVersionConflictError);
    expect((error as Error).message).toContain('cannot change the licence type');
  });

  it('gives a revoked licence no new version', async () => {
    const { answer } = await publishAs('sh-jtw', await sh.sign(permit));
    const head = store.heads.get(`sh-jtw#${permit.licenceNo}`);
    if (head) head.status = 'revoked';
    expect(answer.status).toBe('active');
    await expect(
      publishAs('sh-jtw', await sh.sign(variant(permit, (l) => (l.version = 2)))),
    ).rejects.toBeInstanceOf(LicenceRevokedError);
  });

  it('decides again when a concurrent publication of the same document wins the race', async () => {
    const document = await sh.sign(permit);
    store.beforeCommit = () => {
      store.heads.set(`sh-jtw#${permit.licenceNo}`, {
        issuerId: 'sh-jtw',
        licenceNo: permit.licenceNo,
        licenceType: permit.licenceType,
        version: 1,
        status: 'active',
        validFrom: permit.validFrom,
        validTo: permit.validTo as string,
        documentHash: '',
        payloadHash: '',
        statusIndex: 7,
        revision: 1,
        publishedAt: NOW.toISOString(),
        updatedAt: NOW.toISOString(),
      });
    };
    // The winner published other bytes under version 1: this one is now a conflict, not a double write.
    await expect(publishAs('sh-jtw', document)).rejects.toBeInstanceOf(LicenceVersionConflictError);
  });
});

describe('publishLicence: only the issuer', () => {
  it('refuses a province publishing a licence another province issued (403)', async () => {
    const document = await sh.sign(permit);
    const error = await publishAs('js-jtt', document).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LicenceNotIssuerError);
    expect((error as LicenceNotIssuerError).status).toBe(403);
    expect((error as LicenceNotIssuerError).code).toBe('licence-not-issuer');
  });

  it('refuses a licence naming the caller but signed with another issuer key', async () => {
    const forged = await js.sign(permit, { kid: sh.key.kid });
    const error = await publishAs('sh-jtw', forged).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LicenceDocumentRejectedError);
    expect((error as Error).message).toMatch(/^(signature-invalid|algorithm-rejected)/);
    const unknownKid = await js.sign(permit);
    expect(((await publishAs('sh-jtw', unknownKid).catch((e: unknown) => e)) as Error).message).toMatch(
      /^key-unknown/,
    );
  });

  it('refuses a malformed document as a problem, not a crash', async () => {
    const error = await publishAs('sh-jtw', 'not.a-jws').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LicenceDocumentRejectedError);
    expect((error as Error).message).toMatch(/^malformed/);
    expect((error as LicenceDocumentRejectedError).extensions.reason).toBe('malformed');
  });
});

describe('publishLicence: content', () => {
  it('refuses a schema-invalid licence with the fields at fault', async () => {
    const broken = variant(permit, (l) => {
      (l.fields as unknown as Record<string, unknown>).businessScope = [];
    });
    const error = await publishAs('sh-jtw', await sh.sign(broken)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LicenceInvalidError);
    expect((error as LicenceInvalidError).errors).toEqual([
      expect.objectContaining({ pointer: '/fields/businessScope' }),
    ]);
  });

  it('returns warnings (a GB/T 36904 check character) without refusing', async () => {
    const identifier = permit.licenceIdentifier as string;
    const wrongCheck = `${identifier.slice(0, -1)}${identifier.endsWith('A') ? 'B' : 'A'}`;
    const { answer } = await publishAs(
      'sh-jtw',
      await sh.sign(variant(permit, (l) => (l.licenceIdentifier = wrongCheck))),
    );
    expect(answer.outcome).toBe('published');
    expect(answer.warnings).toEqual([expect.stringContaining('/licenceIdentifier: check character')]);
  });
});

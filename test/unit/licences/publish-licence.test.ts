import { beforeEach, describe, expect, it } from 'vitest';
import { LicenceDocumentChecker } from '#lib/licences/licence-document.ts';
import {
  LicenceDocumentRejectedError,
  LicenceInvalidError,
  LicenceNotIssuerError,
  LicenceOutsideJurisdictionError,
  LicenceRevokedError,
  LicenceVersionConflictError,
} from '#lib/licences/licence-errors.ts';
import type { LicencePayload } from '#lib/licences/licence-types.ts';
import { type PublishLicencePorts, publishLicence } from '#lib/licences/publish-licence.ts';
import { licenceFixtures } from '../../fixtures/licences/index.ts';
import {
  AUTHORITIES,
  addIssuer,
  issuedBy,
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

describe("publishLicence: only licences issued within the issuer's jurisdiction", () => {
  const jsPermit = licenceFixtures['road-transport-operating-permit'][1]
    ?.payload as LicencePayload<'road-transport-operating-permit'>;
  const refusal = async (caller: string, document: string) => {
    const error = await publishAs(caller, document).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LicenceOutsideJurisdictionError);
    return error as LicenceOutsideJurisdictionError;
  };

  it("refuses js-jtt publishing Shanghai's permit in its own partner id (the review repro), storing nothing", async () => {
    // Only issuer.partnerId changed: 沪交运管许可浦字…号, 上海市交通委员会, 11310000002435681K, 310000 kept.
    const forged = variant(permit, (l) => (l.issuer.partnerId = 'js-jtt'));
    const error = await refusal('js-jtt', await js.sign(forged));
    expect(error.status).toBe(403);
    expect(error.code).toBe('licence-outside-jurisdiction');
    expect(error.message).toMatch(/^js-jtt may publish only licences issued within its jurisdiction/);
    expect(error.extensions.errors).toEqual([
      { pointer: '/issuer/divisionCode', detail: expect.stringContaining('310000') },
      { pointer: '/issuer/code', detail: expect.stringContaining('320000 苏') },
    ]);
    expect(store.heads.size).toBe(0);
    expect(lists.lists.has('js-jtt')).toBe(false); // no status index handed out
  });

  it("refuses a licence naming another province's authority by its USCC only, or by its division only", async () => {
    // A Jiangsu permit number and division, but Shanghai's USCC (identifier kept consistent).
    const byUscc = issuedBy(jsPermit, { code: AUTHORITIES.shanghai.code });
    const uscc = await refusal('js-jtt', await js.sign(byUscc));
    expect((uscc.extensions.errors as { pointer: string }[]).map((e) => e.pointer)).toEqual(['/issuer/code']);
    // Jiangsu's USCC, but a Shanghai division (and a 沪 number, which the division demands).
    const byDivision = issuedBy(
      variant(jsPermit, (l) => (l.licenceNo = '沪交运管许可浦字310115000777号')),
      { divisionCode: '310115' },
    );
    const division = await refusal('js-jtt', await js.sign(byDivision));
    expect((division.extensions.errors as { pointer: string }[]).map((e) => e.pointer)).toEqual([
      '/issuer/divisionCode',
    ]);
  });

  it('accepts a city authority under the province (苏州市交通运输局 for js-jtt)', async () => {
    const suzhou = issuedBy(jsPermit, AUTHORITIES.suzhou);
    const { created, answer } = await publishAs('js-jtt', await js.sign(suzhou));
    expect(created).toBe(true);
    expect(answer).toMatchObject({ outcome: 'published', issuer: 'js-jtt', licenceNo: jsPermit.licenceNo });
    expect(answer.warnings).toEqual([]);
  });

  it('refuses every licence of an issuer the registry holds no jurisdiction for (fails closed)', async () => {
    const legacy = await addIssuer(directory, 'zj-jtt', 'ES256', { divisionCode: null });
    const zjVehicle = licenceFixtures['vehicle-transport-certificate'][1]?.payload as LicencePayload;
    expect(zjVehicle.issuer.partnerId).toBe('zj-jtt');
    const error = await refusal('zj-jtt', await legacy.sign(zjVehicle));
    expect(error.extensions.errors).toEqual([
      { pointer: '/issuer/partnerId', detail: expect.stringMatching(/no jurisdiction for zj-jtt/) },
    ]);
  });

  it('refuses a GB/T 36904 identifier naming another authority than issuer.code (400, not a warning)', async () => {
    const mixed = variant(jsPermit, (l) => {
      l.licenceIdentifier = permit.licenceIdentifier as string; // Shanghai's identifier
    });
    const error = await publishAs('js-jtt', await js.sign(mixed)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LicenceInvalidError);
    expect((error as LicenceInvalidError).errors).toEqual([
      expect.objectContaining({
        pointer: '/licenceIdentifier',
        detail: expect.stringMatching(/11310000002435681K/),
      }),
    ]);
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

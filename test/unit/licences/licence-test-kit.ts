import type { JWK } from 'jose';
import { partners } from '#infra/partners.ts';
import { credentialSigner } from '#lib/credentials/credential-signer.ts';
import { type IssuingKey, toIssuingKey } from '#lib/credentials/issuing-keys.ts';
import { allocateIndex } from '#lib/credentials/status-list.ts';
import {
  emptyStatusLists,
  type IssuerStatusLists,
  STATUS_PURPOSES,
  type StatusPurpose,
} from '#lib/credentials/status-list-store.ts';
import { generateSm2KeyPair } from '#lib/crypto/sm2-jws.ts';
import { formatLicenceIdentifier, parseLicenceIdentifier } from '#lib/identifiers/licence-identifier.ts';
import { LICENCE_JWS_TYP } from '#lib/licences/licence-document.ts';
import type { LicenceIssuer, LicencePayload } from '#lib/licences/licence-types.ts';
import type { Partner, Role } from '#lib/registry/partner.ts';
import { generatePrivateJwk, MemoryDirectory, publicPart } from '../signing/fixtures.ts';

/** Issuers with fresh issuing keys in a MemoryDirectory, and a way to sign licences as them. */
export const KEY_WINDOW = { notBefore: '2026-01-01T00:00:00Z' };

export interface TestIssuer {
  partner: Partner;
  privateJwk: JWK;
  key: IssuingKey;
  sign(payload: LicencePayload | Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
}

export async function addIssuer(
  directory: MemoryDirectory,
  partnerId: string,
  alg: 'ES256' | 'EdDSA' | 'SM2SM3' = 'ES256',
  options: {
    roles?: Role[];
    window?: { notBefore: string; notAfter?: string };
    /**
     * The issuer's jurisdiction in the registry. Default: the demo partner's (infra/partners.ts),
     * e.g. `310000` for sh-jtw; `null`: none (a partner registered before jurisdictions existed).
     */
    divisionCode?: string | null;
  } = {},
): Promise<TestIssuer> {
  const kid = `${partnerId}-issuing-${alg.toLowerCase()}`;
  const privateJwk: JWK =
    alg === 'SM2SM3' ? { ...(generateSm2KeyPair().privateJwk as JWK), kid } : generatePrivateJwk(alg, kid);
  const key = await toIssuingKey({ ...publicPart(privateJwk), kid }, options.window ?? KEY_WINDOW);
  const demo = partners.find((candidate) => candidate.id === partnerId);
  const divisionCode = options.divisionCode === undefined ? demo?.divisionCode : options.divisionCode;
  const partner: Partner = {
    partnerId,
    name: demo?.name ?? partnerId,
    roles: options.roles ?? ['province', 'credential-issuer', 'verifier'],
    ...(divisionCode === null || divisionCode === undefined ? {} : { divisionCode }),
    status: 'active',
    apiKeys: [],
    issuingKeys: [key],
    version: 1,
    updatedAt: '2026-01-01T00:00:00Z',
  };
  directory.partners.set(partnerId, partner);
  const signer = await credentialSigner(privateJwk);
  return {
    partner,
    privateJwk,
    key,
    sign: (payload, header = {}) =>
      signer.sign({ typ: LICENCE_JWS_TYP, ...header }, payload as unknown as Record<string, unknown>),
  };
}

export { MemoryDirectory };

/** A deep copy of a fixture with changes applied (fixtures are never edited in place). */
export function variant<T extends LicencePayload>(
  fixture: T,
  change: (copy: T) => void = () => undefined,
): T {
  const copy = structuredClone(fixture);
  change(copy);
  return copy;
}

/** Issuing authorities (颁发机构) with GB 32100-valid USCCs, for licences issued in their name. */
export const AUTHORITIES = {
  shanghai: { name: '上海市交通委员会', code: '11310000002435681K', divisionCode: '310000' },
  suzhou: { name: '苏州市交通运输局', code: '113205000141600138', divisionCode: '320500' },
} as const satisfies Record<string, Omit<LicenceIssuer, 'partnerId'>>;

/**
 * A copy of `licence` issued in the name of `authority` (published by the same partner unless
 * `authority.partnerId` says otherwise), its GB/T 36904 identifier re-made for the new authority.
 */
export function issuedBy<T extends LicencePayload>(licence: T, authority: Partial<LicenceIssuer>): T {
  return variant(licence, (copy) => {
    copy.issuer = { ...copy.issuer, ...authority };
    const parsed = parseLicenceIdentifier(copy.licenceIdentifier);
    if (parsed) {
      const { check: _check, ...parts } = parsed.parts;
      copy.licenceIdentifier = formatLicenceIdentifier({ ...parts, issuerCode: copy.issuer.code });
    }
  });
}

/** The issuer status lists in memory, with StatusListStore's semantics. */
export class MemoryStatusLists {
  readonly lists = new Map<string, IssuerStatusLists>();
  writes = 0;

  async get(issuerId: string): Promise<IssuerStatusLists> {
    let lists = this.lists.get(issuerId);
    if (!lists) {
      lists = emptyStatusLists(issuerId);
      this.lists.set(issuerId, lists);
    }
    return lists;
  }

  async allocate(issuerId: string, count: number): Promise<number[]> {
    const lists = await this.get(issuerId);
    const indices: number[] = [];
    for (let i = 0; i < count; i++) {
      const index = allocateIndex((candidate) => lists.allocated.get(candidate));
      lists.allocated.set(index, true);
      indices.push(index);
    }
    lists.version++;
    return indices;
  }

  async setStatus(issuerId: string, index: number, purpose: StatusPurpose, value: boolean): Promise<boolean> {
    const lists = await this.get(issuerId);
    if (!lists.allocated.get(index)) throw new Error(`index ${index} not allocated`);
    const before = lists[purpose].get(index);
    lists[purpose].set(index, value);
    lists.version++;
    this.writes++;
    return before !== value;
  }

  async bits(issuerId: string, index: number): Promise<Record<StatusPurpose, boolean>> {
    const lists = await this.get(issuerId);
    return Object.fromEntries(
      STATUS_PURPOSES.map((purpose) => [purpose, lists[purpose].get(index)]),
    ) as Record<StatusPurpose, boolean>;
  }
}

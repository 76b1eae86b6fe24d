import type { JWK } from 'jose';
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
import { LICENCE_JWS_TYP } from '#lib/licences/licence-document.ts';
import type { LicencePayload } from '#lib/licences/licence-types.ts';
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
  options: { roles?: Role[]; window?: { notBefore: string; notAfter?: string } } = {},
): Promise<TestIssuer> {
  const kid = `${partnerId}-issuing-${alg.toLowerCase()}`;
  const privateJwk: JWK =
    alg === 'SM2SM3' ? { ...(generateSm2KeyPair().privateJwk as JWK), kid } : generatePrivateJwk(alg, kid);
  const key = await toIssuingKey({ ...publicPart(privateJwk), kid }, options.window ?? KEY_WINDOW);
  const partner: Partner = {
    partnerId,
    name: partnerId,
    roles: options.roles ?? ['province', 'credential-issuer', 'verifier'],
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

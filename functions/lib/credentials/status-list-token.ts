import type { StatusListReader } from '#lib/credentials/status-list-store.ts';
import { signCompact } from '#lib/signing/compact.ts';
import type { Signer } from '#lib/signing/signer.ts';

/**
 * An issuer's status lists as the hub publishes them for offline verifiers: a hub-signed compact
 * JWS (`typ: delta-hub-status-list+jwt`) in the style of a W3C Bitstring Status List credential
 * (schemas/status-list/v1.json). One index of the issuer is valid in both lists: bit set in
 * `revocation` = revoked (permanent), in `suspension` = suspended (reversible). The list of
 * allocated indices is not published.
 *
 * Signed tokens are cached per instance for `ttlMs` (at most 60 s by configuration), so a checkpoint
 * fleet polling every few seconds costs one table read and one KMS signature per instance and
 * issuer per window, and a change reaches the published list within that window.
 */
export const STATUS_LIST_TYP = 'delta-hub-status-list+jwt';

export interface StatusListPayload {
  iss: 'delta-hub';
  /** The credential issuer whose lists these are. */
  sub: string;
  issuer: string;
  /** Bumped by every change of the issuer's lists; 0 = never changed (all clear). */
  version: number;
  iat: number;
  exp: number;
  issuedAt: string;
  /** After this, an offline verifier must treat the list as stale and fetch a new one. */
  validUntil: string;
  /** W3C `ttl`: milliseconds a verifier may cache the list before fetching it again. */
  ttl: number;
  lists: {
    revocation: { statusPurpose: 'revocation'; encodedList: string };
    suspension: { statusPurpose: 'suspension'; encodedList: string };
  };
}

export interface PublishedStatusList {
  issuer: string;
  version: number;
  issuedAt: string;
  validUntil: string;
  statusList: string;
}

export interface StatusListPublisherOptions {
  lists: StatusListReader;
  signer: () => Promise<Signer>;
  /** How long a signed list is served from this instance's cache, and the `ttl` it announces. */
  ttlMs: number;
  /** How long a list stays usable offline after it is issued (`validUntil`, `exp`). */
  validityMs: number;
  now?: () => number;
}

export class StatusListPublisher {
  private readonly cache = new Map<string, { expiresAt: number; value: Promise<PublishedStatusList> }>();

  constructor(private readonly options: StatusListPublisherOptions) {}

  get(issuerId: string): Promise<PublishedStatusList> {
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(issuerId);
    if (cached && cached.expiresAt > now) return cached.value;
    const value = this.issue(issuerId, now);
    const entry = { expiresAt: now + this.options.ttlMs, value };
    this.cache.set(issuerId, entry);
    value.catch(() => {
      if (this.cache.get(issuerId) === entry) this.cache.delete(issuerId);
    });
    return value;
  }

  private async issue(issuerId: string, now: number): Promise<PublishedStatusList> {
    const lists = await this.options.lists.get(issuerId);
    const issuedAt = new Date(now);
    const validUntil = new Date(now + this.options.validityMs);
    const payload: StatusListPayload = {
      iss: 'delta-hub',
      sub: issuerId,
      issuer: issuerId,
      version: lists.version,
      iat: Math.floor(now / 1000),
      exp: Math.floor(validUntil.getTime() / 1000),
      issuedAt: issuedAt.toISOString(),
      validUntil: validUntil.toISOString(),
      ttl: this.options.ttlMs,
      lists: {
        revocation: { statusPurpose: 'revocation', encodedList: lists.revocation.encode() },
        suspension: { statusPurpose: 'suspension', encodedList: lists.suspension.encode() },
      },
    };
    const statusList = await signCompact(
      await this.options.signer(),
      { typ: STATUS_LIST_TYP },
      { ...payload },
    );
    return {
      issuer: issuerId,
      version: lists.version,
      issuedAt: payload.issuedAt,
      validUntil: payload.validUntil,
      statusList,
    };
  }
}

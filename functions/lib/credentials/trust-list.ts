import type { IssuingKey } from '#lib/credentials/issuing-keys.ts';
import { HubError } from '#lib/errors.ts';
import type { Partner } from '#lib/registry/partner.ts';
import type { TrustListChange } from '#lib/registry/trust-list-log.ts';
import { signCompact } from '#lib/signing/compact.ts';
import { HUB_ISSUER } from '#lib/signing/protocol.ts';
import type { Signer } from '#lib/signing/signer.ts';
import { compileSchema } from '#lib/validation.ts';
import trustListSchema from '#schemas/trust-list/v1.json' with { type: 'json' };
import trustListDeltaSchema from '#schemas/trust-list-delta/v1.json' with { type: 'json' };

/**
 * The hub-signed trust list: every credential issuer, its status and its current issuing keys, so
 * a checkpoint can verify passes and licences offline (after the EU Digital COVID Certificate
 * gateway's trust lists). A full list, or a delta "what changed since version N", each a compact
 * JWS signed by the hub. Times inside are NumericDate (whole seconds), like the `iat`/`nbf`/`exp`
 * of the credentials they are compared with.
 */
export const TRUST_LIST_TYP = 'delta-hub-trust-list+jwt';
/** A delta has its own `typ` so no verifier can mistake a few changed issuers for the whole list. */
export const TRUST_LIST_DELTA_TYP = 'delta-hub-trust-list-delta+jwt';
/** Longest delta served; a verifier further behind fetches the full list. */
export const MAX_DELTA_VERSIONS = 1_000;

export interface TrustListKey {
  kty: string;
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg: string;
  use: 'sig';
  /** First second the key signs (NumericDate, rounded up). */
  nbf: number;
  /** First second it no longer does (NumericDate, rounded down); absent = until retired. */
  exp?: number;
  /** SM2SM3 keys: the signer distinguishing ID hashed into Z_A. */
  sm2UserId?: string;
}

export interface TrustListIssuer {
  issuerId: string;
  name?: string;
  status: 'active' | 'suspended' | 'removed';
  keys: TrustListKey[];
}

export interface TrustListPayload {
  iss: typeof HUB_ISSUER;
  version: number;
  iat: number;
  /** When the verifier should fetch again (NumericDate); a hint, not an expiry. */
  nextUpdate: number;
  issuers: TrustListIssuer[];
}

export interface TrustListDeltaPayload {
  iss: typeof HUB_ISSUER;
  since: number;
  version: number;
  iat: number;
  nextUpdate: number;
  changes: TrustListIssuer[];
}

/** The registry as of one trust-list version: every partner holding the credential-issuer role. */
export interface TrustListSnapshot {
  version: number;
  issuers: Partner[];
}

/** Where trust lists come from (`RegistryTrustListSource` in the hub; a fake in unit tests). */
export interface TrustListSource {
  /** A snapshot whose partner states include at least every change up to its `version`. */
  snapshot(): Promise<TrustListSnapshot>;
  /** Log entries with `after < version ≤ upTo`, oldest first. */
  changes(after: number, upTo: number): Promise<TrustListChange[]>;
}

/** What `GET /v1/trust-list` answers. */
export interface TrustListDocument {
  version: number;
  since?: number;
  /** The compact JWS. */
  trustList: string;
}

/** 400: `since` is not a version number, or names a version the hub has not reached. */
export class TrustListQueryError extends HubError {
  readonly status = 400;
  readonly code = 'trust-list-query-invalid';
  readonly title = 'Trust list query is invalid';
}

/** 410: the changes since that version are too many for a delta; fetch the full list instead. */
export class TrustListSinceTooOldError extends HubError {
  readonly status = 410;
  readonly code = 'trust-list-since-too-old';
  readonly title = 'Too far behind for a delta: fetch the full trust list';
}

const ceilSeconds = (iso: string): number => Math.ceil(Date.parse(iso) / 1000);
const floorSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/**
 * One issuing key as a verifier needs it. `nbf` is rounded up and `exp` down, so the window a
 * verifier enforces in whole seconds never exceeds the registered one.
 */
export function trustListKey(key: IssuingKey): TrustListKey {
  const { kty, crv, x, y } = key.jwk as { kty: string; crv: string; x: string; y?: string };
  return {
    kty,
    crv,
    x,
    ...(y === undefined ? {} : { y }),
    kid: key.kid,
    alg: key.alg,
    use: 'sig',
    nbf: ceilSeconds(key.notBefore),
    ...(key.notAfter === undefined ? {} : { exp: floorSeconds(key.notAfter) }),
    ...(key.sm2UserId === undefined ? {} : { sm2UserId: key.sm2UserId }),
  };
}

/**
 * An issuer's entry: an active issuer lists its keys that have not expired at `now` (including
 * keys not valid yet, so verifiers hold a rotation's next key before its first credential); a
 * suspended issuer is listed with no keys, so offline verifiers stop trusting it.
 */
export function issuerEntry(partner: Partner, now: Date): TrustListIssuer {
  const active = partner.status === 'active';
  return {
    issuerId: partner.partnerId,
    name: partner.name,
    status: active ? 'active' : 'suspended',
    keys: active
      ? (partner.issuingKeys ?? [])
          .filter((key) => key.notAfter === undefined || Date.parse(key.notAfter) > now.getTime())
          .map(trustListKey)
      : [],
  };
}

const byIssuerId = (a: { issuerId: string }, b: { issuerId: string }) =>
  a.issuerId < b.issuerId ? -1 : a.issuerId > b.issuerId ? 1 : 0;

export function fullTrustList(
  snapshot: TrustListSnapshot,
  now: Date,
  refreshSeconds: number,
): TrustListPayload {
  const iat = Math.floor(now.getTime() / 1000);
  return {
    iss: HUB_ISSUER,
    version: snapshot.version,
    iat,
    nextUpdate: iat + refreshSeconds,
    issuers: snapshot.issuers.map((partner) => issuerEntry(partner, now)).sort(byIssuerId),
  };
}

/**
 * The delta from `since` to the snapshot's version: the CURRENT entry of each issuer named in
 * `changes` (not a replay of each step), and `removed` for one that is no longer an issuer. A
 * verifier replaces its entry for each; applying the same delta twice is harmless.
 */
export function trustListDelta(
  snapshot: TrustListSnapshot,
  since: number,
  changes: readonly TrustListChange[],
  now: Date,
  refreshSeconds: number,
): TrustListDeltaPayload {
  const iat = Math.floor(now.getTime() / 1000);
  const current = new Map(snapshot.issuers.map((partner) => [partner.partnerId, partner]));
  const changed = [...new Set(changes.map((change) => change.issuerId))];
  return {
    iss: HUB_ISSUER,
    since,
    version: snapshot.version,
    iat,
    nextUpdate: iat + refreshSeconds,
    changes: changed
      .map((issuerId): TrustListIssuer => {
        const partner = current.get(issuerId);
        return partner ? issuerEntry(partner, now) : { issuerId, status: 'removed', keys: [] };
      })
      .sort(byIssuerId),
  };
}

const SINCE = /^\d{1,12}$/;

/** Reads `GET /v1/trust-list`'s query: nothing, or exactly one `since=<version>`. */
export function parseTrustListQuery(rawQueryString: string | undefined): { since?: number } {
  if (!rawQueryString) return {};
  const params = new URLSearchParams(rawQueryString);
  const names = [...params.keys()];
  const unknown = names.find((name) => name !== 'since');
  if (unknown !== undefined) {
    throw new TrustListQueryError(`unknown query parameter "${unknown}": only "since" is accepted`);
  }
  const values = params.getAll('since');
  if (values.length !== 1) throw new TrustListQueryError('give "since" once');
  const [raw = ''] = values;
  if (!SINCE.test(raw)) {
    throw new TrustListQueryError(
      `since must be a trust-list version (a non-negative integer of at most 12 digits), got "${raw.slice(0, 40)}"`,
    );
  }
  return { since: Number(raw) };
}

const fullContract = compileSchema<TrustListPayload>(trustListSchema);
// After the full list's schema: the delta's schema refers to its $defs.
const deltaContract = compileSchema<TrustListDeltaPayload>(trustListDeltaSchema);

export interface TrustListPublisherOptions {
  source: TrustListSource;
  signer: () => Promise<Signer>;
  /** How long this instance reuses a snapshot and its signed documents (≤ 60 s by config). */
  cacheMs: number;
  /** The `nextUpdate` hint: seconds after `iat` a verifier should fetch again. */
  refreshSeconds: number;
  now?: () => Date;
  /** Most deltas kept signed per snapshot (one per `since` asked). */
  maxCachedDeltas?: number;
}

/** Least time between two forced rebuilds (a `since` newer than the cached version). */
const MIN_REFRESH_MS = 1_000;

interface CacheEntry {
  builtAt: number;
  expiresAt: number;
  snapshot: Promise<TrustListSnapshot>;
  full?: Promise<TrustListDocument>;
  deltas: Map<number, Promise<TrustListDocument>>;
}

/**
 * Builds, signs and caches trust lists per warm instance. A checkpoint polling every few minutes
 * costs a table read and a KMS `Sign` at most once per `cacheMs` per instance (and per distinct
 * `since`), not once per request. Concurrent misses share one build; failed builds are not kept.
 */
export class TrustListPublisher {
  private entry: CacheEntry | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: TrustListPublisherOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async full(): Promise<TrustListDocument> {
    const entry = this.current();
    entry.full ??= this.keepUnlessFailed(
      entry,
      entry.snapshot.then(async (snapshot) => {
        const payload = fullTrustList(snapshot, this.now(), this.options.refreshSeconds);
        return {
          version: snapshot.version,
          trustList: await this.sign(TRUST_LIST_TYP, payload, fullContract),
        };
      }),
      () => {
        entry.full = undefined;
      },
    );
    return entry.full;
  }

  async delta(since: number): Promise<TrustListDocument> {
    let entry = this.current();
    if (since > (await entry.snapshot).version && this.now().getTime() - entry.builtAt >= MIN_REFRESH_MS) {
      // Another instance may already have served a newer version: look again before refusing
      // (at most once a second, so a stream of future versions cannot bypass the cache).
      entry = this.current(true);
    }
    const snapshot = await entry.snapshot;
    if (since > snapshot.version) {
      throw new TrustListQueryError(
        `since ${since} is newer than the current trust-list version ${snapshot.version}`,
      );
    }
    if (snapshot.version - since > MAX_DELTA_VERSIONS) {
      throw new TrustListSinceTooOldError(
        `version ${since} is ${snapshot.version - since} versions behind ${snapshot.version} (a delta spans at most ${MAX_DELTA_VERSIONS}): GET /v1/trust-list without since`,
      );
    }
    const cached = entry.deltas.get(since);
    if (cached) return cached;
    const built = this.keepUnlessFailed(
      entry,
      this.options.source.changes(since, snapshot.version).then(async (changes) => {
        const payload = trustListDelta(snapshot, since, changes, this.now(), this.options.refreshSeconds);
        return {
          version: snapshot.version,
          since,
          trustList: await this.sign(TRUST_LIST_DELTA_TYP, payload, deltaContract),
        };
      }),
      () => {
        if (entry.deltas.get(since) === built) entry.deltas.delete(since);
      },
    );
    entry.deltas.set(since, built);
    if (entry.deltas.size > (this.options.maxCachedDeltas ?? 32)) {
      const oldest = entry.deltas.keys().next().value;
      if (oldest !== undefined) entry.deltas.delete(oldest);
    }
    return built;
  }

  private current(refresh = false): CacheEntry {
    const nowMs = this.now().getTime();
    if (!refresh && this.entry && this.entry.expiresAt > nowMs) return this.entry;
    const entry: CacheEntry = {
      builtAt: nowMs,
      expiresAt: nowMs + this.options.cacheMs,
      snapshot: this.options.source.snapshot(),
      deltas: new Map(),
    };
    entry.snapshot.catch(() => {
      if (this.entry === entry) this.entry = undefined;
    });
    this.entry = entry;
    return entry;
  }

  private keepUnlessFailed<T>(entry: CacheEntry, value: Promise<T>, forget: () => void): Promise<T> {
    value.catch(() => {
      if (this.entry === entry) forget();
    });
    return value;
  }

  private async sign<T extends object>(
    typ: string,
    payload: T,
    contract: { check(value: unknown): unknown[]; schemaId: string },
  ): Promise<string> {
    const problems = contract.check(payload);
    if (problems.length > 0) {
      // Our bug (a stored key the schema does not admit), never the caller's.
      throw new Error(`trust list breaks ${contract.schemaId}: ${JSON.stringify(problems)}`);
    }
    return signCompact(await this.options.signer(), { typ }, payload as Record<string, unknown>);
  }
}

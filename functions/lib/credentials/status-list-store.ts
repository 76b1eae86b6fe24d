import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { allocateIndex, StatusBitstring, StatusListFullError } from '#lib/credentials/status-list.ts';
import { ConflictError, HubError } from '#lib/errors.ts';

/**
 * Each credential issuer's status lists (W3C Bitstring Status List style), one DynamoDB item per
 * issuer: `pk = ISSUER#<id>` with four gzip+base64url bitstrings of 131,072 bits each:
 * `revocation` (permanent), `suspension` (reversible), `allocated` (which indices have been
 * handed out, so a new credential never reuses one) and `licences` (indices bound to a licence
 * record, whose bits follow that licence's status and change only through the licence API).
 * A pass or licence carries one index that is valid in both lists. Writes are read-modify-write conditional on `version`, retried on conflict.
 */
export type StatusPurpose = 'revocation' | 'suspension';
export const STATUS_PURPOSES: readonly StatusPurpose[] = ['revocation', 'suspension'];

/** 409: every index of the issuer's list is taken; nothing can be allocated until lists rotate. */
export class StatusListExhaustedError extends HubError {
  readonly status = 409;
  readonly code = 'status-list-full';
  readonly title = 'Status list full';
}

function allocateOrExplain(issuerId: string, lists: IssuerStatusLists, allocate: () => number): number {
  try {
    return allocate();
  } catch (error) {
    if (error instanceof StatusListFullError) {
      throw new StatusListExhaustedError(
        `all ${lists.allocated.length} status indices of ${issuerId} are allocated; contact the hub operators`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** What an index is handed out for: a pass (bits set by the issuer by index) or a licence record. */
export type StatusBinding = 'pass' | 'licence';

export interface IssuerStatusLists {
  issuerId: string;
  revocation: StatusBitstring;
  suspension: StatusBitstring;
  allocated: StatusBitstring;
  /** Indices bound to a licence: the pass entries route may not flip them. */
  licences: StatusBitstring;
  /** Bumped on every change; 0 for an issuer that never had a list. */
  version: number;
  updatedAt: string;
}

/** Read side, as verifiers need it. */
export interface StatusListReader {
  /** `fresh` asks a cache to read through (the store always reads the table). */
  get(issuerId: string, options?: { fresh?: boolean }): Promise<IssuerStatusLists>;
}

/** The lists of an issuer that never had one: nothing allocated, nothing revoked or suspended. */
export const emptyStatusLists = (issuerId: string): IssuerStatusLists => ({
  issuerId,
  revocation: StatusBitstring.create(),
  suspension: StatusBitstring.create(),
  allocated: StatusBitstring.create(),
  licences: StatusBitstring.create(),
  version: 0,
  updatedAt: new Date(0).toISOString(),
});

export class StatusListStore implements StatusListReader {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(issuerId: string): Promise<IssuerStatusLists> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `ISSUER#${issuerId}` }, ConsistentRead: true }),
    );
    if (!Item) return emptyStatusLists(issuerId);
    return {
      issuerId,
      revocation: StatusBitstring.decode(Item.revocation as string),
      suspension: StatusBitstring.decode(Item.suspension as string),
      allocated: StatusBitstring.decode(Item.allocated as string),
      // Items written before licence binding existed have no such list: nothing is bound there.
      licences: Item.licences ? StatusBitstring.decode(Item.licences as string) : StatusBitstring.create(),
      version: Item.version as number,
      updatedAt: Item.updatedAt as string,
    };
  }

  /**
   * Hands out `count` fresh random indices (not sequential: they must not link credentials).
   * `binding: 'licence'` marks them as owned by a licence record.
   */
  async allocate(issuerId: string, count: number, binding: StatusBinding = 'pass'): Promise<number[]> {
    return this.change(issuerId, (lists) => {
      const indices: number[] = [];
      for (let i = 0; i < count; i++) {
        const index = allocateOrExplain(issuerId, lists, () =>
          allocateIndex((candidate) => lists.allocated.get(candidate), {
            length: lists.allocated.length,
          }),
        );
        lists.allocated.set(index, true);
        if (binding === 'licence') lists.licences.set(index, true);
        indices.push(index);
      }
      return indices;
    });
  }

  /** Sets or clears one status bit. Returns whether anything changed. */
  async setStatus(issuerId: string, index: number, purpose: StatusPurpose, value: boolean): Promise<boolean> {
    return this.change(issuerId, (lists) => {
      if (!lists.allocated.get(index))
        throw new ConflictError(`status index ${index} was never allocated by ${issuerId}`);
      const before = lists[purpose].get(index);
      lists[purpose].set(index, value);
      return before !== value;
    });
  }

  private async change<T>(
    issuerId: string,
    mutate: (lists: IssuerStatusLists) => T,
    attempts = 5,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const lists = await this.get(issuerId);
      const result = mutate(lists);
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: `ISSUER#${issuerId}`,
              revocation: lists.revocation.encode(),
              suspension: lists.suspension.encode(),
              allocated: lists.allocated.encode(),
              licences: lists.licences.encode(),
              version: lists.version + 1,
              updatedAt: this.now().toISOString(),
            },
            ConditionExpression: lists.version === 0 ? 'attribute_not_exists(pk)' : 'version = :read',
            ...(lists.version === 0 ? {} : { ExpressionAttributeValues: { ':read': lists.version } }),
          }),
        );
        return result;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) || attempt >= attempts) {
          if (error instanceof ConditionalCheckFailedException) {
            throw new ConflictError(`status list of ${issuerId} is busy; retry`, { cause: error });
          }
          throw error;
        }
      }
    }
  }
}

/**
 * Per-instance cache of issuers' status lists for verifiers: a warm verification reads no table.
 * A revocation reaches online verifiers within `ttlMs` (config keeps it at most 60 s).
 */
export class CachedStatusLists implements StatusListReader {
  private readonly entries = new Map<string, { expiresAt: number; value: Promise<IssuerStatusLists> }>();

  constructor(
    private readonly source: StatusListReader,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(issuerId: string, options: { fresh?: boolean } = {}): Promise<IssuerStatusLists> {
    const cached = this.entries.get(issuerId);
    if (!options.fresh && cached && cached.expiresAt > this.now()) return cached.value;
    const value = this.source.get(issuerId);
    const entry = { expiresAt: this.now() + this.ttlMs, value };
    this.entries.set(issuerId, entry);
    value.catch(() => {
      if (this.entries.get(issuerId) === entry) this.entries.delete(issuerId);
    });
    return value;
  }
}

import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '#lib/errors.ts';
import type { Partner } from '#lib/registry/partner.ts';
import { TrustListLog, trustListChangeKind } from '#lib/registry/trust-list-log.ts';

/** Read side of the trust registry, as the request path needs it. */
export interface PartnerDirectory {
  /** The partner, or `undefined` when no such partner is registered. */
  get(partnerId: string): Promise<Partner | undefined>;
}

const keyOf = (partnerId: string) => ({ pk: `PARTNER#${partnerId}`, sk: 'PROFILE' });

/** A committed registry write and, when it changed the trust list, the trust-list version it took. */
export interface RegistryWrite {
  partner: Partner;
  trustListVersion?: number;
}

/** How often a write retries when only the trust-list HEAD moved under it (another issuer's change). */
const TRUST_LIST_ATTEMPTS = 5;

/**
 * The trust registry in DynamoDB: one item per partner (`pk = PARTNER#<id>`, `sk = PROFILE`).
 * A get is one strongly consistent read (1 RCU for items under 4 KB). Writes are conditional on
 * the version read, so two operators rotating keys at once cannot silently undo each other.
 *
 * A write that changes what verifiers see in the trust list (an issuer registered, suspended or
 * reinstated, its issuing keys or name changed, the role withdrawn) also bumps the trust-list
 * version and logs the change, in the same transaction (`trust-list-log.ts`). The store decides
 * this from the before/after states itself, so no caller can forget it.
 */
export class RegistryStore implements PartnerDirectory {
  /** The trust-list HEAD and change log, in the same table. */
  readonly trustList: TrustListLog;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.trustList = new TrustListLog(documents, tableName);
  }

  async get(partnerId: string): Promise<Partner | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(partnerId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...partner } = Item;
    return partner as Partner;
  }

  async list(): Promise<Partner[]> {
    const partners: Partner[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :profile',
          ExpressionAttributeValues: { ':profile': 'PROFILE' },
          ExclusiveStartKey,
        }),
      );
      for (const { pk: _pk, sk: _sk, ...partner } of page.Items ?? []) partners.push(partner as Partner);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return partners.sort((a, b) => a.partnerId.localeCompare(b.partnerId));
  }

  /** Registers a new partner; fails with `ConflictError` when the id is taken. */
  async create(partner: Omit<Partner, 'version' | 'updatedAt'>, now = new Date()): Promise<Partner> {
    const item: Partner = { ...partner, version: 1, updatedAt: now.toISOString() };
    await this.commit(undefined, item, now, `partner ${partner.partnerId} is already registered`);
    return item;
  }

  /**
   * Read-modify-write of one partner, conditional on the version read. `change` returns the new
   * state (without version bookkeeping); a concurrent update surfaces as `ConflictError`.
   */
  async update(
    partnerId: string,
    change: (current: Partner) => Omit<Partner, 'version' | 'updatedAt'>,
    now = new Date(),
  ): Promise<Partner> {
    return (await this.updateWithTrustList(partnerId, change, now)).partner;
  }

  /** As `update`, and also says which trust-list version the change took (if it mattered to it). */
  async updateWithTrustList(
    partnerId: string,
    change: (current: Partner) => Omit<Partner, 'version' | 'updatedAt'>,
    now = new Date(),
  ): Promise<RegistryWrite> {
    const current = await this.get(partnerId);
    if (!current) throw new NotFoundError(`partner ${partnerId} is not registered`);
    const next: Partner = {
      ...change(current),
      partnerId,
      version: current.version + 1,
      updatedAt: now.toISOString(),
    };
    const trustListVersion = await this.commit(
      current,
      next,
      now,
      `partner ${partnerId} changed concurrently; read it again and retry`,
    );
    return { partner: next, ...(trustListVersion === undefined ? {} : { trustListVersion }) };
  }

  /**
   * Writes `next` on condition that the stored item is still `before` (absent for a create). When
   * the change matters to the trust list, the write is a transaction with the HEAD and CHANGE items;
   * if only the HEAD moved meanwhile, it re-reads the HEAD and tries again.
   */
  private async commit(
    before: Partner | undefined,
    next: Partner,
    now: Date,
    conflictMessage: string,
  ): Promise<number | undefined> {
    const put = {
      TableName: this.tableName,
      Item: { ...keyOf(next.partnerId), ...next },
      ...(before === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': before.version } }),
    };
    const kind = trustListChangeKind(before, next);
    if (kind === undefined) {
      try {
        await this.documents.send(new PutCommand(put));
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException)
          throw new ConflictError(conflictMessage, { cause: error });
        throw error;
      }
      return undefined;
    }
    for (let attempt = 1; ; attempt++) {
      const log = this.trustList.writesFor(await this.trustList.head(), next.partnerId, kind, now);
      try {
        await this.documents.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, ...log.items] }));
        return log.version;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [partnerReason] = error.CancellationReasons ?? [];
        if (partnerReason?.Code === 'ConditionalCheckFailed')
          throw new ConflictError(conflictMessage, { cause: error });
        if (attempt >= TRUST_LIST_ATTEMPTS) {
          throw new ConflictError('the trust list is changing concurrently; retry', { cause: error });
        }
      }
    }
  }
}

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '#lib/errors.ts';
import type { Partner } from '#lib/registry/partner.ts';

/** Read side of the trust registry, as the request path needs it. */
export interface PartnerDirectory {
  /** The partner, or `undefined` when no such partner is registered. */
  get(partnerId: string): Promise<Partner | undefined>;
}

const keyOf = (partnerId: string) => ({ pk: `PARTNER#${partnerId}`, sk: 'PROFILE' });

/**
 * The trust registry in DynamoDB: one item per partner (`pk = PARTNER#<id>`, `sk = PROFILE`).
 * A get is one strongly consistent read (1 RCU for items under 4 KB). Writes are conditional on
 * the version read, so two operators rotating keys at once cannot silently undo each other.
 */
export class RegistryStore implements PartnerDirectory {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

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
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keyOf(partner.partnerId), ...item },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`partner ${partner.partnerId} is already registered`, { cause: error });
      }
      throw error;
    }
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
    const current = await this.get(partnerId);
    if (!current) throw new NotFoundError(`partner ${partnerId} is not registered`);
    const next: Partner = {
      ...change(current),
      partnerId,
      version: current.version + 1,
      updatedAt: now.toISOString(),
    };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keyOf(partnerId), ...next },
          ConditionExpression: 'version = :read',
          ExpressionAttributeValues: { ':read': current.version },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`partner ${partnerId} changed concurrently; read it again and retry`, {
          cause: error,
        });
      }
      throw error;
    }
    return next;
  }
}

import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { TrustListSnapshot, TrustListSource } from '#lib/credentials/trust-list.ts';
import type { Partner } from '#lib/registry/partner.ts';
import type { PartnerDirectory } from '#lib/registry/registry-store.ts';

/**
 * The trust-list version counter and its change log, kept in the `registry` table beside the
 * partners they describe:
 *
 * - `pk = TRUSTLIST, sk = HEAD`: `version` (starts at 0 when absent) and `issuers`, the ids of every
 *   partner that currently holds the credential-issuer role (so a full trust list is one `GetItem`
 *   plus one per issuer, never a `Scan`);
 * - `pk = TRUSTLIST, sk = CHANGE#<version, 12 digits>`: which issuer that version changed and how.
 *
 * `RegistryStore` writes the partner item, the new HEAD and the CHANGE item in ONE transaction, and
 * the HEAD write is conditional on the version it read: versions are gap-free and totally ordered,
 * and no partner change that matters to verifiers can commit without its log entry.
 */
export const TRUST_LIST_PK = 'TRUSTLIST';
export const TRUST_LIST_HEAD_SK = 'HEAD';
const CHANGE_PREFIX = 'CHANGE#';
const VERSION_DIGITS = 12;

/** Sort key of the log entry for `version`; zero-padded so `BETWEEN` orders numerically. */
export const changeSortKey = (version: number): string =>
  `${CHANGE_PREFIX}${String(version).padStart(VERSION_DIGITS, '0')}`;

/** Why an issuer's entry in the trust list changed. */
export type TrustListChangeKind =
  /** Became a credential issuer (registered with the role, or given it). */
  | 'registered'
  /** Its issuing key set changed (published, retired, removed as compromised). */
  | 'keys'
  /** Suspended or reinstated. */
  | 'status'
  /** Its display name changed. */
  | 'profile'
  /** No longer a credential issuer (role withdrawn). */
  | 'removed';

export interface TrustListHead {
  version: number;
  /** Ids of the partners holding the credential-issuer role, sorted. */
  issuers: string[];
  updatedAt?: string;
}

export interface TrustListChange {
  version: number;
  issuerId: string;
  kind: TrustListChangeKind;
  at: string;
}

export const isCredentialIssuer = (partner: Partner | undefined): partner is Partner =>
  partner?.roles.includes('credential-issuer') === true;

/**
 * Whether going from `before` to `after` changes what a verifier sees of this partner in the trust
 * list, and how. Partners without the credential-issuer role on either side never matter.
 */
export function trustListChangeKind(
  before: Partner | undefined,
  after: Partner,
): TrustListChangeKind | undefined {
  const was = isCredentialIssuer(before);
  const is = isCredentialIssuer(after);
  if (!was && !is) return undefined;
  if (!was) return 'registered';
  if (!is) return 'removed';
  if (before.status !== after.status) return 'status';
  if (canonicalJson(before.issuingKeys ?? []) !== canonicalJson(after.issuingKeys ?? [])) return 'keys';
  if (before.name !== after.name) return 'profile';
  return undefined;
}

/** JSON with object members sorted: DynamoDB does not keep map member order across a round trip. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB side of the log: reads HEAD and CHANGE items, and prepares the writes of one change. */
export class TrustListLog {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The current HEAD, strongly consistent; version 0 and no issuers before the first change. */
  async head(): Promise<TrustListHead> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: TRUST_LIST_PK, sk: TRUST_LIST_HEAD_SK },
        ConsistentRead: true,
      }),
    );
    if (!Item) return { version: 0, issuers: [] };
    return {
      version: Item.version as number,
      issuers: (Item.issuers as string[] | undefined) ?? [],
      ...(typeof Item.updatedAt === 'string' ? { updatedAt: Item.updatedAt } : {}),
    };
  }

  /** Log entries with `after < version ≤ upTo`, oldest first (one Query, paged). */
  async changes(after: number, upTo: number): Promise<TrustListChange[]> {
    if (upTo <= after) return [];
    const changes: TrustListChange[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': TRUST_LIST_PK,
            ':from': changeSortKey(after + 1),
            ':to': changeSortKey(upTo),
          },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        changes.push({
          version: item.version as number,
          issuerId: item.issuerId as string,
          kind: item.kind as TrustListChangeKind,
          at: item.at as string,
        });
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return changes;
  }

  /**
   * The two writes that record `kind` for `issuerId` on top of `head`: the new HEAD, conditional
   * on still being at `head.version` (so two concurrent changes cannot take the same version), and
   * the CHANGE item. Returns the version they commit.
   */
  writesFor(
    head: TrustListHead,
    issuerId: string,
    kind: TrustListChangeKind,
    now: Date,
  ): { version: number; items: TransactItem[] } {
    const version = head.version + 1;
    const issuers = new Set(head.issuers);
    if (kind === 'removed') issuers.delete(issuerId);
    else issuers.add(issuerId);
    const at = now.toISOString();
    return {
      version,
      items: [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              pk: TRUST_LIST_PK,
              sk: TRUST_LIST_HEAD_SK,
              version,
              issuers: [...issuers].sort(),
              updatedAt: at,
            },
            ...(head.version === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'version = :read',
                  ExpressionAttributeValues: { ':read': head.version },
                }),
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: { pk: TRUST_LIST_PK, sk: changeSortKey(version), version, issuerId, kind, at },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    };
  }
}

/**
 * Trust-list snapshots from the registry: the HEAD first, then each issuer it names, all strongly
 * consistent, so the partner states read include every change up to the HEAD's version (they may
 * include later ones too; a verifier then sees those again in its next delta, harmlessly).
 * `partners` must be the registry itself, not a cached directory.
 */
export class RegistryTrustListSource implements TrustListSource {
  constructor(
    private readonly log: TrustListLog,
    private readonly partners: PartnerDirectory,
  ) {}

  async snapshot(): Promise<TrustListSnapshot> {
    const head = await this.log.head();
    const partners = await Promise.all(head.issuers.map((issuerId) => this.partners.get(issuerId)));
    return { version: head.version, issuers: partners.filter(isCredentialIssuer) };
  }

  changes(after: number, upTo: number): Promise<TrustListChange[]> {
    return this.log.changes(after, upTo);
  }
}

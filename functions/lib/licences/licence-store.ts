import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '#lib/errors.ts';
import { LicenceConcurrentChangeError } from '#lib/licences/licence-errors.ts';
import type { HistoryEntry, LicenceState } from '#lib/licences/licence-state.ts';

/**
 * The `licences` table: every published licence, its signed versions, its status history and the
 * recognition events of it. Layout (docs/data-model.md has the access patterns and costs):
 *
 * | pk | sk | item |
 * |---|---|---|
 * | `LIC#<issuer>#<licenceNo>` | `HEAD` | current state, version, status index, revision |
 * | `LIC#<issuer>#<licenceNo>` | `V#<version, 3 digits>` | one signed document, as published |
 * | `LIC#<issuer>#<licenceNo>` | `STATUS#<ISO time>#<revision, 6 digits>` | state snapshot after a change |
 * | `LIC#<issuer>#<licenceNo>` | `RECOG#<ISO time>#<eventId>` | a recognition event, licence view |
 * | `RECOG#<issuer>#<YYYY-MM-DD>` | `<ISO time>#<eventId>` | the same event, issuer-by-day view |
 *
 * A publication or status change writes HEAD, the version (on publication) and a history entry in
 * one transaction, conditional on the revision read, so concurrent writers cannot interleave.
 */

/** The current state of a licence (`sk = HEAD`). */
export interface LicenceHead extends LicenceState {
  issuerId: string;
  licenceNo: string;
  licenceType: string;
  /** SHA-256 (base64url) of the compact JWS of the version in force. */
  documentHash: string;
  /** SHA-256 (base64url) of its payload segment: the content, whatever the signature bytes. */
  payloadHash: string;
  /** Index in the issuer's revocation and suspension lists, the same for every version. */
  statusIndex: number;
  /** Bumped by every change; writes are conditional on it. Equals the last history entry's seq. */
  revision: number;
  /** When version 1 was published. */
  publishedAt: string;
  /** Time of the last change: history entries never go back before it. */
  updatedAt: string;
  /** Reason given with the last status action (issuer-only information). */
  statusReason?: string;
  /** When the status (not a renewal or a version) last changed. */
  statusChangedAt?: string;
}

/** One published version (`sk = V#…`): the signed document exactly as the issuer sent it. */
export interface LicenceVersionRecord {
  issuerId: string;
  licenceNo: string;
  version: number;
  document: string;
  documentHash: string;
  payloadHash: string;
  kid: string;
  alg: string;
  publishedAt: string;
}

/** A partner recognised (or refused) a licence through the hub. */
export interface RecognitionEvent {
  eventId: string;
  issuerId: string;
  licenceNo: string;
  licenceType?: string;
  /** The version presented. */
  version?: number;
  /** Partner that asked for the verification. */
  verifier: string;
  decision: 'recognised' | 'rejected';
  reason?: string;
  /** 用证事由, as the verifier stated it. */
  purpose?: string;
  verifiedAt: string;
  credentialHash: string;
}

export interface RecognitionQuery {
  issuerId: string;
  licenceNo?: string;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  limit: number;
  /** Opaque continuation from a previous page. */
  cursor?: string;
}

export interface RecognitionPage {
  items: RecognitionEvent[];
  /** Present when there may be more events in the range. */
  cursor?: string;
}

/** A publication or a status change: written all or nothing. */
export interface LicenceChange {
  head: LicenceHead;
  /** The revision the change was decided on; absent for a new licence. */
  expectedRevision?: number;
  /** The new signed version, on publication. */
  version?: LicenceVersionRecord;
  history: HistoryEntry;
}

/** The storage port of the licence use cases. */
export interface LicenceStore {
  head(issuerId: string, licenceNo: string): Promise<LicenceHead | undefined>;
  version(issuerId: string, licenceNo: string, version: number): Promise<LicenceVersionRecord | undefined>;
  /** @throws {LicenceConcurrentChangeError} when HEAD moved since `expectedRevision`. */
  commit(change: LicenceChange): Promise<void>;
  /** The last history entry at or before `at`: the state then, or undefined before publication. */
  stateAt(issuerId: string, licenceNo: string, at: Date): Promise<HistoryEntry | undefined>;
  recordRecognition(event: RecognitionEvent): Promise<void>;
  /** @throws {ValidationError} for a cursor that is not one this store handed out for the range. */
  recognitions(query: RecognitionQuery): Promise<RecognitionPage>;
}

const HEAD = 'HEAD';
const licencePk = (issuerId: string, licenceNo: string) => `LIC#${issuerId}#${licenceNo}`;
const versionSk = (version: number) => `V#${String(version).padStart(3, '0')}`;
const historySk = (entry: Pick<HistoryEntry, 'at' | 'seq'>) =>
  `STATUS#${entry.at}#${String(entry.seq).padStart(6, '0')}`;
const dayPk = (issuerId: string, day: string) => `RECOG#${issuerId}#${day}`;
const dayOf = (iso: string) => iso.slice(0, 10);
const DAY_MS = 86_400_000;

/** `licences` table adapter (see the layout above). */
export class DynamoLicenceStore implements LicenceStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async head(issuerId: string, licenceNo: string): Promise<LicenceHead | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: licencePk(issuerId, licenceNo), sk: HEAD },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...head } = Item;
    return head as LicenceHead;
  }

  async version(
    issuerId: string,
    licenceNo: string,
    version: number,
  ): Promise<LicenceVersionRecord | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: licencePk(issuerId, licenceNo), sk: versionSk(version) },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...record } = Item;
    return record as LicenceVersionRecord;
  }

  async commit(change: LicenceChange): Promise<void> {
    const pk = licencePk(change.head.issuerId, change.head.licenceNo);
    const isNew = change.expectedRevision === undefined;
    const items = [
      {
        Put: {
          TableName: this.tableName,
          Item: { pk, sk: HEAD, ...change.head },
          ConditionExpression: isNew ? 'attribute_not_exists(pk)' : 'revision = :expected',
          ...(isNew ? {} : { ExpressionAttributeValues: { ':expected': change.expectedRevision } }),
        },
      },
      ...(change.version
        ? [
            {
              Put: {
                TableName: this.tableName,
                Item: { pk, sk: versionSk(change.version.version), ...change.version },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ]
        : []),
      {
        Put: {
          TableName: this.tableName,
          Item: { pk, sk: historySk(change.history), ...change.history },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
    try {
      await this.documents.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (error instanceof TransactionCanceledException && isConditionFailure(error)) {
        throw new LicenceConcurrentChangeError(`the licence changed concurrently; read it again and retry`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async stateAt(issuerId: string, licenceNo: string, at: Date): Promise<HistoryEntry | undefined> {
    const { Items } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: {
          ':pk': licencePk(issuerId, licenceNo),
          ':first': 'STATUS#',
          // '~' sorts after the digits of the seq suffix: every entry at exactly `at` is included.
          ':last': `STATUS#${at.toISOString()}#~`,
        },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = Items?.[0];
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, ...entry } = item;
    return entry as HistoryEntry;
  }

  async recordRecognition(event: RecognitionEvent): Promise<void> {
    const put = (pk: string, sk: string) => ({
      Put: {
        TableName: this.tableName,
        Item: { pk, sk, ...event },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    // Both views or neither: an audit trail that differs by where one looks is worse than none.
    await this.documents.send(
      new TransactWriteCommand({
        TransactItems: [
          put(licencePk(event.issuerId, event.licenceNo), `RECOG#${event.verifiedAt}#${event.eventId}`),
          put(dayPk(event.issuerId, dayOf(event.verifiedAt)), `${event.verifiedAt}#${event.eventId}`),
        ],
      }),
    );
  }

  async recognitions(query: RecognitionQuery): Promise<RecognitionPage> {
    const from = query.from.toISOString();
    const to = query.to.toISOString();
    const cursor = decodeCursor(query.cursor);
    if (query.licenceNo !== undefined) {
      const low = `RECOG#${from}`;
      const high = `RECOG#${to}`;
      if (cursor && (cursor.day !== undefined || !cursor.key || cursor.key < low || cursor.key > high)) {
        throw badCursor();
      }
      const pk = licencePk(query.issuerId, query.licenceNo);
      const page = await this.page(
        {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
          ExpressionAttributeValues: { ':pk': pk, ':low': low, ':high': high },
          ...(cursor?.key ? { ExclusiveStartKey: { pk, sk: cursor.key } } : {}),
        },
        query.limit,
      );
      return {
        items: page.items,
        ...(page.lastKey ? { cursor: encodeCursor({ key: page.lastKey }) } : {}),
      };
    }

    // Issuer-wide: one partition per UTC day, read in order from the cursor's day (or `from`).
    const days = daysBetween(from, to);
    let dayIndex = 0;
    let startKey: string | undefined;
    if (cursor) {
      dayIndex = cursor.day === undefined ? -1 : days.indexOf(cursor.day);
      if (dayIndex < 0 || (cursor.key !== undefined && (cursor.key < from || cursor.key > to)))
        throw badCursor();
      startKey = cursor.key;
    }
    const items: RecognitionEvent[] = [];
    for (; dayIndex < days.length; dayIndex++) {
      const day = days[dayIndex] as string;
      const pk = dayPk(query.issuerId, day);
      const page = await this.page(
        {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
          ExpressionAttributeValues: { ':pk': pk, ':low': from, ':high': to },
          ...(startKey ? { ExclusiveStartKey: { pk, sk: startKey } } : {}),
        },
        query.limit - items.length,
      );
      startKey = undefined;
      items.push(...page.items);
      if (items.length >= query.limit) {
        if (page.lastKey) return { items, cursor: encodeCursor({ day, key: page.lastKey }) };
        const next = days[dayIndex + 1];
        return next === undefined ? { items } : { items, cursor: encodeCursor({ day: next }) };
      }
    }
    return { items };
  }

  /** Up to `limit` events from one partition, and the key to continue after when there may be more. */
  private async page(
    input: QueryCommandInput,
    limit: number,
  ): Promise<{ items: RecognitionEvent[]; lastKey?: string }> {
    const items: RecognitionEvent[] = [];
    let exclusiveStartKey = input.ExclusiveStartKey;
    for (;;) {
      const page = await this.documents.send(
        new QueryCommand({
          ...input,
          Limit: limit - items.length,
          ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
        }),
      );
      for (const { pk: _pk, sk: _sk, ...event } of page.Items ?? []) items.push(event as RecognitionEvent);
      exclusiveStartKey = page.LastEvaluatedKey;
      if (!exclusiveStartKey) return { items };
      if (items.length >= limit) return { items, lastKey: exclusiveStartKey.sk as string };
    }
  }
}

/**
 * Lost to another writer: a failed condition, or (real DynamoDB, never moto) a transaction
 * cancelled because another one was touching the same items at the same moment.
 */
function isConditionFailure(error: TransactionCanceledException): boolean {
  return (error.CancellationReasons ?? []).some(
    (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
  );
}

/** The UTC days a [from, to) range touches, at most 32 (the use case bounds the range). */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const last = Date.parse(`${dayOf(new Date(Date.parse(to) - 1).toISOString())}T00:00:00Z`);
  for (let day = Date.parse(`${dayOf(from)}T00:00:00Z`); day <= last && days.length < 32; day += DAY_MS) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

interface Cursor {
  day?: string;
  key?: string;
}

const CURSOR = /^[A-Za-z0-9_-]{1,600}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined) return undefined;
  if (!CURSOR.test(text)) throw badCursor();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch (cause) {
    throw badCursor(cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badCursor();
  const { day, key, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw badCursor();
  if (day !== undefined && !(typeof day === 'string' && DAY.test(day))) throw badCursor();
  if (key !== undefined && !(typeof key === 'string' && key.length > 0 && key.length <= 300))
    throw badCursor();
  if (day === undefined && key === undefined) throw badCursor();
  return { ...(day === undefined ? {} : { day }), ...(key === undefined ? {} : { key }) };
}

const badCursor = (cause?: unknown) =>
  new ValidationError(
    'cursor is not one this query handed out',
    [
      {
        pointer: '/cursor',
        detail: 'pass back the cursor of the previous page, with the same licenceNo, from and to',
      },
    ],
    { cause },
  );

import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

/** Records a nonce once; `false` means it was already used and has not expired. */
export interface ReplayGuard {
  claim(partnerId: string, nonce: string, expiresAtSeconds: number, nowSeconds: number): Promise<boolean>;
}

/**
 * Nonces in DynamoDB (`pk = <partner>#<nonce>`, `expiresAt` in epoch seconds, also the table's TTL
 * attribute). The claim is one conditional write (1 WCU): it succeeds when the nonce is new *or*
 * its previous use has expired. Expiry is checked in the condition rather than left to TTL,
 * because TTL deletion runs up to days late (and never in some emulators).
 */
export class DynamoReplayGuard implements ReplayGuard {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(
    partnerId: string,
    nonce: string,
    expiresAtSeconds: number,
    nowSeconds: number,
  ): Promise<boolean> {
    // Marks this claim, so that when the SDK retries a write that did succeed (its answer lost on
    // the way back) the retry recognises its own item instead of calling the request a replay.
    const claimId = randomUUID();
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `${partnerId}#${nonce}`, expiresAt: expiresAtSeconds, claimId },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return error.Item?.claimId?.S === claimId;
      throw error;
    }
  }
}

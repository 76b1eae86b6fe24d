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
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `${partnerId}#${nonce}`, expiresAt: expiresAtSeconds },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

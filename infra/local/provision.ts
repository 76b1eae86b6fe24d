import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { physicalQueueName, physicalTableName, queues, type TableName, tables } from '#infra/topology.ts';

/**
 * Creates the topology's tables, queues (each with its DLQ and redrive policy) and the hub signing
 * key in a local emulator, through plain SDK calls: moto's CloudFormation cannot take the CDK
 * template as it is. Idempotent: what exists is reused. Every name carries `prefix`, so test
 * files can each have their own isolated set in one emulator.
 */
export interface ProvisionedResources {
  prefix: string;
  tableNames: Record<TableName, string>;
  /** Queue logical name → URL, DLQs included (`<name>-dlq`). */
  queueUrls: Record<string, string>;
  queueArns: Record<string, string>;
  hubSigningKeyId: string;
}

export interface ProvisionOptions {
  prefix: string;
  /**
   * Local-only override of every queue's visibility timeout, so tests can watch a failing message
   * reach its DLQ in seconds. The topology's values are the real ones.
   */
  visibilityTimeoutSeconds?: number;
}

export async function provision(
  clients: { dynamo: DynamoDBClient; sqs: SQSClient; kms: KMSClient },
  options: ProvisionOptions,
): Promise<ProvisionedResources> {
  const { prefix } = options;
  const tableNames = {} as Record<TableName, string>;
  for (const [name, spec] of Object.entries(tables) as [TableName, (typeof tables)[TableName]][]) {
    const tableName = physicalTableName(prefix, name);
    tableNames[name] = tableName;
    const keys: { name: string; type: 'HASH' | 'RANGE' }[] = [{ name: spec.partitionKey, type: 'HASH' }];
    if ('sortKey' in spec) keys.push({ name: spec.sortKey, type: 'RANGE' });
    try {
      await clients.dynamo.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: keys.map((key) => ({ AttributeName: key.name, KeyType: key.type })),
          AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: 'S' })),
        }),
      );
      await waitUntilTableExists({ client: clients.dynamo, maxWaitTime: 30 }, { TableName: tableName });
      if ('ttlAttribute' in spec) {
        await clients.dynamo.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
          }),
        );
      }
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }

  const queueUrls: Record<string, string> = {};
  const queueArns: Record<string, string> = {};
  const createQueue = async (name: string, fifo: boolean, attributes: Record<string, string>) => {
    const { QueueUrl } = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: physicalQueueName(prefix, name, fifo),
        Attributes: { ...attributes, ...(fifo ? { FifoQueue: 'true' } : {}) },
      }),
    );
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    queueUrls[name] = QueueUrl as string;
    queueArns[name] = Attributes?.QueueArn as string;
  };
  for (const queue of queues()) {
    await createQueue(queue.dlq.name, queue.fifo, {
      MessageRetentionPeriod: String(queue.dlq.retentionDays * 86_400),
    });
    await createQueue(queue.name, queue.fifo, {
      VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(queue.retentionDays * 86_400),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: queueArns[queue.dlq.name],
        maxReceiveCount: queue.maxReceiveCount,
      }),
    });
  }

  return {
    prefix,
    tableNames,
    queueUrls,
    queueArns,
    hubSigningKeyId: await hubSigningKey(clients.kms, prefix),
  };
}

/** The hub's ES256 key in KMS, found again by alias on later runs. */
async function hubSigningKey(kms: KMSClient, prefix: string): Promise<string> {
  const alias = `alias/${prefix}-hub-signing`;
  try {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    if (KeyMetadata?.KeyId) return KeyMetadata.KeyId;
  } catch {
    // not created yet
  }
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      Description: 'Delta Hub response signing',
    }),
  );
  const keyId = KeyMetadata?.KeyId as string;
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
  return keyId;
}

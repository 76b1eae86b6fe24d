import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients, one per service per process (built on first use, then kept for the cold start).
 *
 * `AWS_ENDPOINT_URL` (the SDK's standard variable) points every client at an emulator. It is also
 * passed explicitly because the SQS client otherwise sends each call to the host named in the
 * queue URL, which an emulator may spell differently from the endpoint it listens on.
 * With no endpoint set, the same code talks to AWS with the ambient credentials.
 *
 * The variable is read when a client is first built, not when this module is loaded: the local
 * runner sets it after its own imports, and a module imported earlier that pulls this one in
 * must not pin the clients to real AWS (and the developer's credentials).
 */
const clientConfig = (): { endpoint?: string; maxAttempts: number } => {
  const endpoint = process.env.AWS_ENDPOINT_URL || undefined;
  return { ...(endpoint ? { endpoint } : {}), maxAttempts: 3 };
};

let dynamo: DynamoDBClient | undefined;
let documents: DynamoDBDocumentClient | undefined;
let sqs: SQSClient | undefined;
let kms: KMSClient | undefined;

export const dynamoClient = (): DynamoDBClient => {
  dynamo ??= new DynamoDBClient(clientConfig());
  return dynamo;
};

export const documentClient = (): DynamoDBDocumentClient => {
  documents ??= DynamoDBDocumentClient.from(dynamoClient(), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documents;
};

export const sqsClient = (): SQSClient => {
  sqs ??= new SQSClient(clientConfig());
  return sqs;
};

export const kmsClient = (): KMSClient => {
  kms ??= new KMSClient(clientConfig());
  return kms;
};

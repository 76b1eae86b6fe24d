import { HUB_SIGNING_KEYS_ENV, OUTBOX_QUEUE_URLS_ENV, tableEnvName } from '#lib/resource-env.ts';
import { partners as declaredPartners, type PartnerSpec } from './partners.ts';

/**
 * The hub, declared once. The CDK stacks (infra/stacks) and the local runner (infra/local) both
 * read this: routes, handler modules, tables, queues with their DLQs and retry settings, event
 * sources and each function's exact permissions. Nothing here is restated anywhere else.
 */

export interface TableSpec {
  partitionKey: string;
  sortKey?: string;
  /** Attribute DynamoDB TTL deletes by. Housekeeping only: no correctness may depend on it. */
  ttlAttribute?: string;
  purpose: string;
}

export const tables = {
  registry: {
    partitionKey: 'pk',
    sortKey: 'sk',
    purpose: 'Trust registry: partners, roles, status, API and issuing keys; trust-list version and log',
  },
  nonces: {
    partitionKey: 'pk',
    ttlAttribute: 'expiresAt',
    purpose: 'Replay guard: request nonces until they expire',
  },
  'status-lists': {
    partitionKey: 'pk',
    purpose: "Each credential issuer's revocation, suspension and allocation bitstrings",
  },
  licences: {
    partitionKey: 'pk',
    sortKey: 'sk',
    purpose: 'E-licences: signed versions, status history, recognition events',
  },
  idempotency: {
    partitionKey: 'id',
    ttlAttribute: 'expiration',
    purpose: 'Powertools idempotency records of queue consumers',
  },
} as const satisfies Record<string, TableSpec>;
export type TableName = keyof typeof tables;

/** DynamoDB actions, named as in IAM without the `dynamodb:` prefix. */
export type TableAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'Scan';
/** KMS use: `sign` = Sign + GetPublicKey on the hub's signing keys. */
export type KmsUse = 'sign';

export interface FunctionSpec {
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** The exact table actions this function performs: its IAM policy is generated from this. */
  tables?: Partial<Record<TableName, readonly TableAction[]>>;
  kms?: KmsUse;
  /** Sends events to every partner outbox queue. */
  sendsToOutboxes?: boolean;
}

export const functions = {
  echo: {
    entry: 'functions/echo.ts',
    description: 'POST /v1/echo: signed connectivity check, optional callback',
    timeoutSeconds: 10,
    memoryMb: 512,
    tables: { registry: ['GetItem'], nonces: ['PutItem'] },
    kms: 'sign',
    sendsToOutboxes: true,
  },
  'get-jwks': {
    entry: 'functions/get-jwks.ts',
    description: "GET /.well-known/jwks.json: the hub's public signing keys",
    timeoutSeconds: 10,
    memoryMb: 256,
    kms: 'sign',
  },
  'publish-issuing-keys': {
    entry: 'functions/publish-issuing-keys.ts',
    description: 'PUT /v1/issuers/{issuerId}/keys: an issuer replaces its credential issuing keys',
    timeoutSeconds: 10,
    memoryMb: 512,
    // PutItem covers the transaction's Puts (partner, trust-list HEAD, CHANGE): IAM authorises
    // each action of a TransactWriteItems as its single-item counterpart.
    tables: { registry: ['GetItem', 'PutItem'], nonces: ['PutItem'] },
    kms: 'sign',
  },
  'get-trust-list': {
    entry: 'functions/get-trust-list.ts',
    description: 'GET /v1/trust-list: the hub-signed trust list of credential issuers, or a delta',
    timeoutSeconds: 10,
    memoryMb: 512,
    tables: { registry: ['GetItem', 'Query'], nonces: ['PutItem'] },
    kms: 'sign',
  },
  'route-not-found': {
    entry: 'functions/route-not-found.ts',
    description: 'API default route: a signed 404 problem for any unknown route',
    timeoutSeconds: 5,
    memoryMb: 256,
    kms: 'sign',
  },
  'deliver-callback': {
    entry: 'functions/deliver-callback.ts',
    description: 'Partner outbox consumer: signed POST of each event to the partner endpoint',
    timeoutSeconds: 30,
    memoryMb: 512,
    tables: { registry: ['GetItem'], idempotency: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] },
    kms: 'sign',
  },
  'verify-pass': {
    entry: 'functions/verify-pass.ts',
    description: 'POST /v1/passes/verify: one-code pass verification with a signed receipt',
    timeoutSeconds: 10,
    memoryMb: 512,
    // registry: callers and issuers (cached); status-lists: revocation (cached).
    tables: { registry: ['GetItem'], nonces: ['PutItem'], 'status-lists': ['GetItem'] },
    kms: 'sign',
  },
  'verify-pass-batch': {
    entry: 'functions/verify-pass-batch.ts',
    description: 'POST /v1/passes/verify-batch: up to 100 passes, one result and receipt each',
    timeoutSeconds: 29,
    memoryMb: 1024,
    tables: { registry: ['GetItem'], nonces: ['PutItem'], 'status-lists': ['GetItem'] },
    kms: 'sign',
  },
  'allocate-status-indices': {
    entry: 'functions/allocate-status-indices.ts',
    description: 'POST /v1/status-lists/{issuerId}/allocations: random status indices for new credentials',
    timeoutSeconds: 10,
    memoryMb: 512,
    tables: { registry: ['GetItem'], nonces: ['PutItem'], 'status-lists': ['GetItem', 'PutItem'] },
    kms: 'sign',
  },
  'set-status-entry': {
    entry: 'functions/set-status-entry.ts',
    description: 'POST /v1/status-lists/{issuerId}/entries: revoke, suspend or reinstate by status index',
    timeoutSeconds: 10,
    memoryMb: 512,
    tables: { registry: ['GetItem'], nonces: ['PutItem'], 'status-lists': ['GetItem', 'PutItem'] },
    kms: 'sign',
  },
  'publish-licence': {
    entry: 'functions/publish-licence.ts',
    description: 'POST /v1/licences: an issuer publishes a licence document or its next version',
    timeoutSeconds: 10,
    memoryMb: 512,
    // licences PutItem: the HEAD + version + history transaction; status-lists: index allocation.
    tables: {
      registry: ['GetItem'],
      nonces: ['PutItem'],
      licences: ['GetItem', 'PutItem'],
      'status-lists': ['GetItem', 'PutItem'],
    },
    kms: 'sign',
  },
  'verify-licence': {
    entry: 'functions/verify-licence.ts',
    description: 'POST /v1/licences/verify: licence recognition with a recognition event and signed receipt',
    timeoutSeconds: 10,
    memoryMb: 512,
    // licences PutItem: the two views of a recognition event, in one transaction.
    tables: { registry: ['GetItem'], nonces: ['PutItem'], licences: ['GetItem', 'PutItem'] },
    kms: 'sign',
  },
  'change-licence-status': {
    entry: 'functions/change-licence-status.ts',
    description: 'POST /v1/licences/{issuer}/{number}/status: suspend, reinstate, revoke or renew',
    timeoutSeconds: 10,
    memoryMb: 512,
    tables: {
      registry: ['GetItem'],
      nonces: ['PutItem'],
      licences: ['GetItem', 'PutItem'],
      'status-lists': ['GetItem', 'PutItem'],
    },
    kms: 'sign',
  },
  'get-licence-status': {
    entry: 'functions/get-licence-status.ts',
    description: 'GET /v1/licences/{issuer}/{number}/status[?at=]: status now or at a past moment',
    timeoutSeconds: 10,
    memoryMb: 512,
    tables: { registry: ['GetItem'], nonces: ['PutItem'], licences: ['GetItem', 'Query'] },
    kms: 'sign',
  },
  'list-licence-recognitions': {
    entry: 'functions/list-licence-recognitions.ts',
    description: "GET /v1/licences/{issuer}/recognitions: recognition events of an issuer's licences",
    timeoutSeconds: 10,
    memoryMb: 512,
    tables: { registry: ['GetItem'], nonces: ['PutItem'], licences: ['Query'] },
    kms: 'sign',
  },
  'get-status-list': {
    entry: 'functions/get-status-list.ts',
    description: "GET /v1/status-lists/{issuerId}: an issuer's hub-signed revocation and suspension lists",
    timeoutSeconds: 10,
    memoryMb: 512,
    tables: { registry: ['GetItem'], nonces: ['PutItem'], 'status-lists': ['GetItem'] },
    kms: 'sign',
  },
} as const satisfies Record<string, FunctionSpec>;
export type FunctionName = keyof typeof functions;

export interface RouteSpec {
  /** `ANY` only for the default route. */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'ANY';
  /** API Gateway route path; `{name}` segments become pathParameters. `$default` catches the rest. */
  path: string;
  function: FunctionName;
}

export const DEFAULT_ROUTE = '$default';

export const routes: readonly RouteSpec[] = [
  { method: 'POST', path: '/v1/echo', function: 'echo' },
  { method: 'POST', path: '/v1/passes/verify', function: 'verify-pass' },
  { method: 'POST', path: '/v1/passes/verify-batch', function: 'verify-pass-batch' },
  { method: 'POST', path: '/v1/status-lists/{issuerId}/allocations', function: 'allocate-status-indices' },
  { method: 'POST', path: '/v1/status-lists/{issuerId}/entries', function: 'set-status-entry' },
  { method: 'GET', path: '/.well-known/jwks.json', function: 'get-jwks' },
  { method: 'PUT', path: '/v1/issuers/{issuerId}/keys', function: 'publish-issuing-keys' },
  { method: 'GET', path: '/v1/trust-list', function: 'get-trust-list' },
  { method: 'POST', path: '/v1/licences', function: 'publish-licence' },
  { method: 'POST', path: '/v1/licences/verify', function: 'verify-licence' },
  { method: 'GET', path: '/v1/licences/{issuer}/recognitions', function: 'list-licence-recognitions' },
  { method: 'GET', path: '/v1/licences/{issuer}/{number}/status', function: 'get-licence-status' },
  { method: 'POST', path: '/v1/licences/{issuer}/{number}/status', function: 'change-licence-status' },
  { method: 'GET', path: '/v1/status-lists/{issuerId}', function: 'get-status-list' },
  // Without it API Gateway answers unknown routes itself, with a body that is not a problem.
  { method: 'ANY', path: DEFAULT_ROUTE, function: 'route-not-found' },
];

/** API Gateway's route key: `POST /v1/echo`, or `$default`. */
export const routeKey = (route: RouteSpec): string =>
  route.path === DEFAULT_ROUTE ? DEFAULT_ROUTE : `${route.method} ${route.path}`;

export interface QueueSpec {
  /** Logical name; FIFO queues get the `.fifo` suffix on top of it. */
  name: string;
  fifo: boolean;
  /** At least 6× the consumer's timeout, as AWS advises for Lambda event sources. */
  visibilityTimeoutSeconds: number;
  /** Receives before SQS moves a message to the DLQ. */
  maxReceiveCount: number;
  retentionDays: number;
  dlq: { name: string; retentionDays: number };
  /** The partner this queue serves, for alarms and dashboards. */
  partnerId?: string;
}

export interface EventSourceSpec {
  queue: string;
  function: FunctionName;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  /** Cap on concurrent invocations for this queue, so one partner cannot starve the others. */
  maxConcurrency: number;
}

/** Settings every partner channel shares; each partner gets its own queue and DLQ with them. */
export const partnerChannel = {
  consumer: 'deliver-callback',
  fifo: true,
  maxReceiveCount: 5,
  retentionDays: 4,
  dlqRetentionDays: 14,
  batchSize: 10,
  // Must stay 0: Lambda allows no batching window on FIFO event sources.
  maxBatchingWindowSeconds: 0,
  maxConcurrency: 2,
} as const;

export const partners: readonly PartnerSpec[] = declaredPartners;

export const outboxQueueName = (partnerId: string): string => `outbox-${partnerId}`;

/** Every queue of the hub, derived from the partner list. */
export function queues(): QueueSpec[] {
  const consumer = functions[partnerChannel.consumer];
  return partners
    .filter((partner) => partner.callbacks)
    .map((partner) => ({
      name: outboxQueueName(partner.id),
      fifo: partnerChannel.fifo,
      visibilityTimeoutSeconds: consumer.timeoutSeconds * 6,
      maxReceiveCount: partnerChannel.maxReceiveCount,
      retentionDays: partnerChannel.retentionDays,
      dlq: { name: `${outboxQueueName(partner.id)}-dlq`, retentionDays: partnerChannel.dlqRetentionDays },
      partnerId: partner.id,
    }));
}

export function eventSources(): EventSourceSpec[] {
  return queues().map((queue) => ({
    queue: queue.name,
    function: partnerChannel.consumer,
    batchSize: partnerChannel.batchSize,
    maxBatchingWindowSeconds: partnerChannel.maxBatchingWindowSeconds,
    maxConcurrency: partnerChannel.maxConcurrency,
  }));
}

/**
 * Physical names: `<prefix>-<logical name>` (plus `.fifo`). The deployed stack uses the prefix
 * `delta-hub`, `npm start` uses `delta-hub-local`, tests a random one; the operator CLI finds the
 * resources from the same prefix (HUB_PREFIX).
 */
export const DEPLOYED_PREFIX = 'delta-hub';
export const LOCAL_PREFIX = 'delta-hub-local';
export const physicalTableName = (prefix: string, table: TableName): string => `${prefix}-${table}`;
export const physicalQueueName = (prefix: string, name: string, fifo: boolean): string =>
  `${prefix}-${name}${fifo ? '.fifo' : ''}`;

/** How a target (CDK tokens, or the local runner's concrete names) locates the resources. */
export interface ResourceLocator {
  tableName(table: TableName): string;
  queueUrl(queue: string): string;
  hubSigningKeyIds(): string[];
}

/**
 * A function's environment variables. Both targets call this, so the variable names a function
 * reads and the resources it is granted come from the same declaration.
 */
export function functionEnvironment(name: FunctionName, locate: ResourceLocator): Record<string, string> {
  const spec: FunctionSpec = functions[name];
  const environment: Record<string, string> = {
    POWERTOOLS_SERVICE_NAME: 'delta-hub',
    NODE_OPTIONS: '--enable-source-maps',
  };
  for (const table of Object.keys(spec.tables ?? {}) as TableName[]) {
    environment[tableEnvName(table)] = locate.tableName(table);
  }
  if (spec.kms) environment[HUB_SIGNING_KEYS_ENV] = locate.hubSigningKeyIds().join(',');
  if (spec.sendsToOutboxes) {
    const urls = Object.fromEntries(
      queues()
        .filter((queue) => queue.partnerId !== undefined)
        .map((queue) => [queue.partnerId, locate.queueUrl(queue.name)]),
    );
    environment[OUTBOX_QUEUE_URLS_ENV] = JSON.stringify(urls);
  }
  return environment;
}

/**
 * Names of the environment variables through which infrastructure tells a function where its
 * resources are. The topology (infra/topology.ts) sets them, in the stack and in the local runner
 * alike; functions read them through these helpers so the spelling lives in one place.
 */
export const tableEnvName = (table: string): string => `TABLE_${table.toUpperCase().replace(/-/g, '_')}`;

/** JSON object: partner id → URL of that partner's outbound (callback) queue. */
export const OUTBOX_QUEUE_URLS_ENV = 'PARTNER_OUTBOX_QUEUE_URLS';

/** Comma-separated KMS key ids or ARNs; the first signs, all are published in the JWKS. */
export const HUB_SIGNING_KEYS_ENV = 'HUB_SIGNING_KEY_IDS';

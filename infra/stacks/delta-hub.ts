import type { Environment } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ORIGINAL_SIGNING_KEY, StatefulStack } from '#infra/stacks/stateful-stack.ts';
import { StatelessStack } from '#infra/stacks/stateless-stack.ts';

/**
 * CDK context key: the hub's signing key names in order, first signs (docs/operations.md, "The
 * hub's signing key"). An array in cdk.json, or on the command line a comma-separated list or a
 * JSON array: `-c hubSigningKeys=original,2026-12`.
 */
export const SIGNING_KEYS_CONTEXT = 'hubSigningKeys';
/** CDK context key: an email address to subscribe to the operator alerts topic. */
export const ALERT_EMAIL_CONTEXT = 'alertEmail';

export interface DeltaHubProps {
  /** @default - environment-agnostic stacks */
  readonly env?: Environment;
  /**
   * The hub's signing key names, in order: the first signs, all are published.
   * @default - context `hubSigningKeys`, else [ORIGINAL_SIGNING_KEY] (the key deployed first)
   */
  readonly signingKeyNames?: readonly string[];
  /**
   * Email address subscribed to the operator alerts topic.
   * @default - context `alertEmail`, else no subscription
   */
  readonly alertEmail?: string;
}

export interface DeltaHub {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * The whole hub as two stacks: `DeltaHubStateful` (tables, signing keys) and `DeltaHubStateless`
 * (API, functions, partner channels, alerts), the second receiving the first's resources by
 * interface. The app and the template tests both build it through this, so both read the same
 * context.
 */
export function createDeltaHub(scope: Construct, props: DeltaHubProps = {}): DeltaHub {
  const env = props.env ? { env: props.env } : {};
  const stateful = new StatefulStack(scope, 'DeltaHubStateful', {
    ...env,
    description: 'Delta Hub: tables and signing keys (retained)',
    signingKeyNames: props.signingKeyNames ?? signingKeyNamesFromContext(scope) ?? [ORIGINAL_SIGNING_KEY],
  });
  const alertEmail = props.alertEmail ?? alertEmailFromContext(scope);
  const stateless = new StatelessStack(scope, 'DeltaHubStateless', {
    ...env,
    description: 'Delta Hub: API, functions and partner channels',
    tables: stateful.tables,
    signingKeys: stateful.signingKeys,
    ...(alertEmail ? { alertEmail } : {}),
  });
  return { stateful, stateless };
}

/**
 * The `hubSigningKeys` context as a list of names, or undefined when it is not set. `cdk -c` hands
 * every value over as a string, so a string is read as a JSON array or a comma-separated list.
 */
export function signingKeyNamesFromContext(scope: Construct): readonly string[] | undefined {
  const value: unknown = scope.node.tryGetContext(SIGNING_KEYS_CONTEXT);
  if (value === undefined) return undefined;
  let list: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    try {
      list = text.startsWith('[')
        ? JSON.parse(text)
        : text
            .split(',')
            .map((name) => name.trim())
            .filter(Boolean);
    } catch (error) {
      throw new Error(`context ${SIGNING_KEYS_CONTEXT} is not a JSON array: ${text}`, { cause: error });
    }
  }
  if (!Array.isArray(list) || !list.every((name) => typeof name === 'string')) {
    throw new Error(
      `context ${SIGNING_KEYS_CONTEXT} must be a list of key names, got ${JSON.stringify(value)}`,
    );
  }
  return list;
}

function alertEmailFromContext(scope: Construct): string | undefined {
  const value: unknown = scope.node.tryGetContext(ALERT_EMAIL_CONTEXT);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    throw new Error(`context ${ALERT_EMAIL_CONTEXT} must be an email address, got ${JSON.stringify(value)}`);
  }
  return value;
}

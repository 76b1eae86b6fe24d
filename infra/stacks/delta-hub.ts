import type { Environment } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { StatefulStack } from '#infra/stacks/stateful-stack.ts';
import { StatelessStack } from '#infra/stacks/stateless-stack.ts';

export interface DeltaHubProps {
  /** @default - environment-agnostic stacks */
  readonly env?: Environment;
}

export interface DeltaHub {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * The whole hub as two stacks: `DeltaHubStateful` (tables, signing key) and `DeltaHubStateless`
 * (API, functions, partner channels), the second receiving the first's resources by interface.
 * The app and the template tests both build it through this.
 */
export function createDeltaHub(scope: Construct, props: DeltaHubProps = {}): DeltaHub {
  const env = props.env ? { env: props.env } : {};
  const stateful = new StatefulStack(scope, 'DeltaHubStateful', {
    ...env,
    description: 'Delta Hub: tables and signing key (retained)',
  });
  const stateless = new StatelessStack(scope, 'DeltaHubStateless', {
    ...env,
    description: 'Delta Hub: API, functions and partner channels',
    tables: stateful.tables,
    signingKey: stateful.signingKey,
  });
  return { stateful, stateless };
}

import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type FunctionName,
  type FunctionSpec,
  functionEnvironment,
  functions,
  type ResourceLocator,
  type TableName,
} from '#infra/topology.ts';

/** Repository root: topology entries (`functions/echo.ts`) are relative to it. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * ESM bundles run CommonJS dependencies through esbuild's `__require` shim, which needs a real
 * `require` in scope; Node's ESM loader has none, so the banner makes one.
 */
const REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** The resources a hub function can be bound to, keyed by their names in the topology. */
export interface HubResources {
  readonly tables: Readonly<Record<TableName, ITable>>;
  /** The hub's signing keys, newest first: the first signs, all are published in the JWKS. */
  readonly signingKeys: readonly IKey[];
  /** Queues by topology queue name (`queues()[i].name`). */
  readonly queues: Readonly<Record<string, IQueue>>;
}

export interface HubFunctionProps {
  /** The function's name in the topology: entry, timeout, memory and access all come from it. */
  readonly name: FunctionName;
  readonly resources: HubResources;
  /**
   * Retention of the function's log group.
   * Function logs are where partner identity is recorded (who called, with which key): kept as
   * long as the API access logs, beyond the six months PRC Cybersecurity Law Art. 21 asks for.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
  /**
   * Active X-Ray tracing.
   * @default false
   */
  readonly tracing?: boolean;
}

/**
 * A topology function as a Lambda: one esbuild bundle (ESM, minified, SDK included, source maps),
 * Node.js 22 on arm64, its own log group with retention, and exactly the access the topology
 * declares for it — no more.
 *
 * @example
 * new HubFunction(this, 'echo', { name: 'echo', resources: { tables, signingKeys: [key], queues } });
 */
export class HubFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: HubFunctionProps) {
    super(scope, id);
    const spec: FunctionSpec = functions[props.name];
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_YEAR });
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${repoRoot}${spec.entry}`,
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      description: spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMb,
      logGroup,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      bundling: {
        // Local esbuild from node_modules: synth must work offline, without Docker.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        // Prefer ES module builds of dependencies so esbuild can tree-shake them.
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // Maps without embedded sources: stack traces still point at the right lines, at a
        // fraction of the size Lambda must load on a cold start.
        sourcesContent: false,
        banner: REQUIRE_BANNER,
        // Bundle the AWS SDK too: the pinned version ships, not whatever the runtime carries.
        externalModules: [],
      },
    });
    bindTopologyResources(this.function, props.name, props.resources);
  }
}

/**
 * Sets a function's environment from the topology and grants exactly the access that goes with
 * it: the listed DynamoDB actions on each listed table, `kms:Sign` + `kms:GetPublicKey` on the
 * signing keys, `sqs:SendMessage` on each outbox queue. The variables and the grants come from the
 * same call, so a function is never told about a resource it cannot use, nor granted one it is
 * not told about. Grants are plain statements on the resource ARNs: `grantReadWriteData` and
 * friends grant far more than a function uses.
 */
export function bindTopologyResources(fn: NodejsFunction, name: FunctionName, resources: HubResources): void {
  const spec: FunctionSpec = functions[name];
  const namedQueues = new Set<string>();
  const locator: ResourceLocator = {
    tableName: (table) => resources.tables[table].tableName,
    queueUrl(queue) {
      const found = resources.queues[queue];
      if (!found) throw new Error(`function ${name} needs queue ${queue}, which the stack does not define`);
      namedQueues.add(queue);
      return found.queueUrl;
    },
    hubSigningKeyIds: () => resources.signingKeys.map((key) => key.keyArn),
  };
  for (const [key, value] of Object.entries(functionEnvironment(name, locator))) {
    fn.addEnvironment(key, value);
  }

  for (const [table, actions] of Object.entries(spec.tables ?? {}) as [TableName, readonly string[]][]) {
    allow(
      fn,
      actions.map((action) => `dynamodb:${action}`),
      [resources.tables[table].tableArn],
    );
  }
  if (spec.kms === 'sign') {
    allow(
      fn,
      ['kms:Sign', 'kms:GetPublicKey'],
      resources.signingKeys.map((key) => key.keyArn),
    );
  }
  if (spec.sendsToOutboxes) {
    // Exactly the queues whose URLs the function was given.
    const arns = [...namedQueues].map((queue) => (resources.queues[queue] as IQueue).queueArn);
    if (arns.length > 0) allow(fn, ['sqs:SendMessage'], arns);
  }
}

function allow(grantee: IGrantable, actions: string[], resources: string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources }));
}

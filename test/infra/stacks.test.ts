import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALERT_EMAIL_CONTEXT,
  createDeltaHub,
  type DeltaHub,
  SIGNING_KEYS_CONTEXT,
} from '#infra/stacks/delta-hub.ts';
import {
  MAX_SIGNING_KEYS,
  ORIGINAL_SIGNING_KEY,
  StatefulStack,
  signingKeyConstructId,
} from '#infra/stacks/stateful-stack.ts';
import { StatelessStack } from '#infra/stacks/stateless-stack.ts';
import {
  eventSources,
  type FunctionName,
  type FunctionSpec,
  functionEnvironment,
  functions,
  queues,
  routeKey,
  routes,
  type TableName,
  type TableSpec,
  tables,
} from '#infra/topology.ts';

/**
 * Template assertions for the rules that matter (ARCHITECTURE.md §7): every queue has a DLQ, each
 * function gets exactly its declared access, routes and alarms follow the topology. Expectations
 * are derived from infra/topology.ts, never listed here, so adding a partner or a route changes
 * what is expected. The app is synthesized once for the file (bundling runs esbuild per function).
 */

type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** What Lambda's SQS poller needs on a queue it drains (`IQueue.grantConsumeMessages`). */
const CONSUME_ACTIONS = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];
/** Budget per function bundle (index.mjs), in bytes. */
const BUNDLE_BUDGET_BYTES = 1024 * 1024;

/**
 * Logical id of the hub signing key as first deployed. Pinned on purpose: if it ever changes,
 * CloudFormation creates a new key and partners' JWKS caches no longer hold the one that signs.
 */
const ORIGINAL_SIGNING_KEY_LOGICAL_ID = 'HubSigningKeyC1AAB91D';

const functionNames = Object.keys(functions) as FunctionName[];
const signingFunctions = functionNames.filter((name) => (functions[name] as FunctionSpec).kms === 'sign');
const tableNames = Object.keys(tables) as TableName[];
const cdkContext = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

let hub: DeltaHub;
let stateful: Template;
let stateless: Template;

beforeAll(() => {
  // The same feature flags `cdk synth` runs with.
  const app = new App({ context: cdkContext });
  hub = createDeltaHub(app);
  stateful = Template.fromStack(hub.stateful);
  stateless = Template.fromStack(hub.stateless);
}, 120_000);

const resourcesOf = (template: Template, type: string): Record<string, Resource> =>
  template.findResources(type) as Record<string, Resource>;
const props = (resource: Resource | undefined): Record<string, unknown> => resource?.Properties ?? {};
/** A token as the stateless template spells it (cross-stack values become Fn::ImportValue). */
const inStateless = (token: string): unknown => hub.stateless.resolve(token);
const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);
const key = (value: unknown): string => JSON.stringify(value);
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * Another hub, with `context` on top of cdk.json's. Bundling is skipped (`cdk synth --exclusively`
 * does the same): these apps are for template shape, and the main app checks the bundles.
 */
function synthHub(context: Record<string, unknown>): {
  hub: DeltaHub;
  stateful: Template;
  stateless: Template;
} {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context } });
  const other = createDeltaHub(app);
  return {
    hub: other,
    stateful: Template.fromStack(other.stateful),
    stateless: Template.fromStack(other.stateless),
  };
}
/** The signing key called `name` in a hub's stateful stack. */
const signingKeyNamed = (of: DeltaHub, name: string): IKey => {
  const found = of.stateful.node.tryFindChild(signingKeyConstructId(name));
  if (!found) throw new Error(`no signing key ${name}`);
  return found as IKey;
};
const functionVariables = (of: DeltaHub, template: Template, name: FunctionName): Record<string, unknown> =>
  (
    props(
      resourcesOf(template, 'AWS::Lambda::Function')[
        logicalId(of.stateless, of.stateless.functions[name].function)
      ],
    ).Environment as { Variables: Record<string, unknown> }
  ).Variables;

describe('DeltaHubStateful', () => {
  it('declares one table per topology table, on demand, with PITR, deletion protection and retention', () => {
    const declared = resourcesOf(stateful, 'AWS::DynamoDB::Table');
    expect(Object.keys(declared)).toHaveLength(tableNames.length);
    for (const name of tableNames) {
      const spec: TableSpec = tables[name];
      const id = logicalId(hub.stateful, hub.stateful.tables[name]);
      const table = declared[id];
      expect(table, `table ${name}`).toBeDefined();
      expect(table?.DeletionPolicy).toBe('Retain');
      expect(table?.UpdateReplacePolicy).toBe('Retain');
      const p = props(table);
      expect(p.BillingMode).toBe('PAY_PER_REQUEST');
      expect(p.DeletionProtectionEnabled).toBe(true);
      expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(p.KeySchema).toEqual([
        { AttributeName: spec.partitionKey, KeyType: 'HASH' },
        ...(spec.sortKey ? [{ AttributeName: spec.sortKey, KeyType: 'RANGE' }] : []),
      ]);
      expect(p.TimeToLiveSpecification).toEqual(
        spec.ttlAttribute ? { AttributeName: spec.ttlAttribute, Enabled: true } : undefined,
      );
    }
  });

  it('holds the hub signing key: ECC_NIST_P256 for SIGN_VERIFY, retained', () => {
    stateful.resourceCountIs('AWS::KMS::Key', 1);
    stateful.hasResource('AWS::KMS::Key', {
      Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('without signing key context, keeps the one deployed key under its original logical id', () => {
    expect(Object.keys(resourcesOf(stateful, 'AWS::KMS::Key'))).toEqual([ORIGINAL_SIGNING_KEY_LOGICAL_ID]);
    expect(hub.stateful.signingKeys).toHaveLength(1);
    expect(logicalId(hub.stateful, hub.stateful.signingKeys[0] as IKey)).toBe(
      ORIGINAL_SIGNING_KEY_LOGICAL_ID,
    );
  });
});

describe('DeltaHubStateless', () => {
  it('declares exactly the queues of queues(): a FIFO outbox and a FIFO DLQ each, SSE on', () => {
    const declared = resourcesOf(stateless, 'AWS::SQS::Queue');
    expect(Object.keys(declared)).toHaveLength(queues().length * 2);
    for (const spec of queues()) {
      const channel = hub.stateless.channels[spec.name];
      expect(channel, `channel ${spec.name}`).toBeDefined();
      if (!channel) continue;
      const queue = props(declared[logicalId(hub.stateless, channel.queue)]);
      const dlq = props(declared[logicalId(hub.stateless, channel.deadLetterQueue)]);
      for (const p of [queue, dlq]) {
        expect(p.FifoQueue).toBe(spec.fifo ? true : undefined);
        expect(p.SqsManagedSseEnabled).toBe(true);
      }
      expect(queue.VisibilityTimeout).toBe(spec.visibilityTimeoutSeconds);
      expect(queue.MessageRetentionPeriod).toBe(spec.retentionDays * 86_400);
      expect(dlq.MessageRetentionPeriod).toBe(spec.dlq.retentionDays * 86_400);
    }
  });

  it('gives every queue that is not a DLQ a redrive policy to a DLQ in the template', () => {
    const declared = resourcesOf(stateless, 'AWS::SQS::Queue');
    const arnOf = (id: string) => key({ 'Fn::GetAtt': [id, 'Arn'] });
    const redrives = Object.entries(declared).flatMap(([id, queue]) => {
      const policy = props(queue).RedrivePolicy as
        | { deadLetterTargetArn: unknown; maxReceiveCount: number }
        | undefined;
      return policy
        ? [{ id, target: key(policy.deadLetterTargetArn), maxReceiveCount: policy.maxReceiveCount }]
        : [];
    });
    const dlqIds = Object.keys(declared).filter((id) =>
      redrives.some((redrive) => redrive.target === arnOf(id)),
    );
    // Each queue is either redriven to a DLQ of this template, or is such a DLQ: none is neither.
    for (const id of Object.keys(declared)) {
      expect(redrives.some((redrive) => redrive.id === id) || dlqIds.includes(id), `queue ${id}`).toBe(true);
    }
    for (const redrive of redrives) {
      expect(Object.keys(declared).map(arnOf), `DLQ of ${redrive.id}`).toContain(redrive.target);
      expect(dlqIds, `DLQ of ${redrive.id} has no DLQ of its own`).not.toContain(redrive.id);
    }
    expect(redrives).toHaveLength(queues().length);
    expect(new Set(dlqIds).size).toBe(queues().length);
    for (const spec of queues()) {
      const channel = hub.stateless.channels[spec.name];
      if (!channel) throw new Error(`no channel for ${spec.name}`);
      const redrive = redrives.find((candidate) => candidate.id === logicalId(hub.stateless, channel.queue));
      expect(redrive?.target).toBe(arnOf(logicalId(hub.stateless, channel.deadLetterQueue)));
      expect(redrive?.maxReceiveCount).toBe(spec.maxReceiveCount);
    }
  });

  it('refuses non-TLS access to every queue', () => {
    const queueIds = Object.keys(resourcesOf(stateless, 'AWS::SQS::Queue'));
    const guarded = Object.values(resourcesOf(stateless, 'AWS::SQS::QueuePolicy')).flatMap((policy) => {
      const document = props(policy).PolicyDocument as { Statement: Statement[] };
      const denies = document.Statement.some(
        (statement) =>
          statement.Effect === 'Deny' &&
          key((statement as { Condition?: unknown }).Condition) ===
            key({ Bool: { 'aws:SecureTransport': 'false' } }),
      );
      return denies ? (props(policy).Queues as { Ref: string }[]).map((queue) => queue.Ref) : [];
    });
    expect(new Set(guarded)).toEqual(new Set(queueIds));
  });

  it('drains each outbox into its consumer with partial batch responses', () => {
    const mappings = Object.values(resourcesOf(stateless, 'AWS::Lambda::EventSourceMapping')).map(props);
    expect(mappings).toHaveLength(eventSources().length);
    for (const source of eventSources()) {
      const channel = hub.stateless.channels[source.queue];
      if (!channel) throw new Error(`no channel for ${source.queue}`);
      const queueArn = key({ 'Fn::GetAtt': [logicalId(hub.stateless, channel.queue), 'Arn'] });
      const mapping = mappings.find((candidate) => key(candidate.EventSourceArn) === queueArn);
      expect(mapping, `event source for ${source.queue}`).toBeDefined();
      expect(mapping?.FunctionName).toEqual({
        Ref: logicalId(hub.stateless, hub.stateless.functions[source.function].function),
      });
      expect(mapping?.BatchSize).toBe(source.batchSize);
      expect(mapping?.MaximumBatchingWindowInSeconds ?? 0).toBe(source.maxBatchingWindowSeconds);
      expect(mapping?.ScalingConfig).toEqual({ MaximumConcurrency: source.maxConcurrency });
      expect(mapping?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
  });

  it('runs every topology function on nodejs22.x, arm64, with its timeout and memory', () => {
    const declared = resourcesOf(stateless, 'AWS::Lambda::Function');
    expect(Object.keys(declared)).toHaveLength(functionNames.length);
    for (const resource of Object.values(declared)) {
      expect(props(resource).Runtime).toBe('nodejs22.x');
      expect(props(resource).Architectures).toEqual(['arm64']);
    }
    for (const name of functionNames) {
      const spec: FunctionSpec = functions[name];
      const p = props(declared[logicalId(hub.stateless, hub.stateless.functions[name].function)]);
      expect(p.Timeout, name).toBe(spec.timeoutSeconds);
      expect(p.MemorySize, name).toBe(spec.memoryMb);
      expect(p.LoggingConfig, name).toMatchObject({ LogGroup: expect.anything() });
    }
    const accessLogsId = logicalId(hub.stateless, hub.stateless.accessLogs);
    const retentions = Object.entries(resourcesOf(stateless, 'AWS::Logs::LogGroup'))
      .filter(([id]) => id !== accessLogsId)
      .map(([, group]) => props(group).RetentionInDays);
    expect(retentions).toHaveLength(functionNames.length);
    for (const days of retentions) expect(days).toBeGreaterThan(0);
  });

  it("sets each function's environment to exactly the topology's variables, with the stack's resources", () => {
    const declared = resourcesOf(stateless, 'AWS::Lambda::Function');
    for (const name of functionNames) {
      const fn = hub.stateless.functions[name].function;
      const variables = (
        props(declared[logicalId(hub.stateless, fn)]).Environment as { Variables: Record<string, unknown> }
      ).Variables;
      const expected = functionEnvironment(name, {
        tableName: (table) => hub.stateful.tables[table].tableName,
        queueUrl: (queue) => hub.stateless.channels[queue]?.queue.queueUrl ?? `missing queue ${queue}`,
        hubSigningKeyIds: () => hub.stateful.signingKeys.map((signingKey) => signingKey.keyArn),
      });
      expect(variables, name).toEqual(
        Object.fromEntries(
          Object.entries(expected).map(([variable, value]) => [variable, inStateless(value)]),
        ),
      );
    }
  });

  it('grants each function exactly the table actions, key use and queues the topology lists', () => {
    const policies = Object.values(resourcesOf(stateless, 'AWS::IAM::Policy')).map(props);
    for (const name of functionNames) {
      const spec: FunctionSpec = functions[name];
      const fn = hub.stateless.functions[name].function;
      const role = key({ Ref: hub.stateless.getLogicalId(fn.role?.node.defaultChild as CfnElement) });
      const granted = new Set<string>();
      for (const policy of policies.filter((candidate) =>
        (candidate.Roles as unknown[]).some((r) => key(r) === role),
      )) {
        for (const statement of (policy.PolicyDocument as { Statement: Statement[] }).Statement) {
          expect(statement.Effect).toBe('Allow');
          for (const action of asList(statement.Action)) {
            for (const resource of asList(statement.Resource)) granted.add(`${action} ${key(resource)}`);
          }
        }
      }

      const expected = new Set<string>();
      const allow = (actions: readonly string[], resource: string) => {
        for (const action of actions) expected.add(`${action} ${key(inStateless(resource))}`);
      };
      for (const [table, actions] of Object.entries(spec.tables ?? {}) as [TableName, readonly string[]][]) {
        allow(
          actions.map((action) => `dynamodb:${action}`),
          hub.stateful.tables[table].tableArn,
        );
      }
      if (spec.kms === 'sign') {
        for (const signingKey of hub.stateful.signingKeys) {
          allow(['kms:Sign', 'kms:GetPublicKey'], signingKey.keyArn);
        }
      }
      for (const queue of queues()) {
        const channel = hub.stateless.channels[queue.name];
        if (!channel) throw new Error(`no channel for ${queue.name}`);
        if (spec.sendsToOutboxes && queue.partnerId !== undefined)
          allow(['sqs:SendMessage'], channel.queue.queueArn);
        if (eventSources().some((source) => source.queue === queue.name && source.function === name)) {
          allow(CONSUME_ACTIONS, channel.queue.queueArn);
        }
      }

      expect([...granted].sort(), name).toEqual([...expected].sort());
      // The DLQs are for operators (redrive), not for any function.
      for (const queue of queues()) {
        const dlq = hub.stateless.channels[queue.name]?.deadLetterQueue;
        if (dlq) expect([...granted].join('\n'), name).not.toContain(key(inStateless(dlq.queueArn)));
      }
    }
  });

  it('routes exactly the topology routes, each to its function with payload format 2.0', () => {
    const declaredRoutes = Object.values(resourcesOf(stateless, 'AWS::ApiGatewayV2::Route')).map(props);
    expect(declaredRoutes.map((route) => route.RouteKey).sort()).toEqual(routes.map(routeKey).sort());
    const integrations = resourcesOf(stateless, 'AWS::ApiGatewayV2::Integration');
    for (const route of routes) {
      const declared = declaredRoutes.find((candidate) => candidate.RouteKey === routeKey(route));
      const target = key(declared?.Target);
      const [integrationId, integration] =
        Object.entries(integrations).find(([id]) => target.includes(key({ Ref: id }))) ?? [];
      expect(integrationId, `integration of ${route.method} ${route.path}`).toBeDefined();
      expect(props(integration).PayloadFormatVersion).toBe('2.0');
      const fnId = logicalId(hub.stateless, hub.stateless.functions[route.function].function);
      expect(props(integration).IntegrationUri).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    }
  });

  it('throttles the API stage by default and outputs its URL', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: Match.anyValue(),
        ThrottlingBurstLimit: Match.anyValue(),
      },
    });
    expect(Object.keys(stateless.findOutputs('ApiUrl'))).toHaveLength(1);
  });

  it('writes a JSON access log line per request to a retained log group with retention', () => {
    const stages = Object.values(resourcesOf(stateless, 'AWS::ApiGatewayV2::Stage')).map(props);
    expect(stages).toHaveLength(1);
    const settings = stages[0]?.AccessLogSettings as { DestinationArn: unknown; Format: string } | undefined;
    const accessLogsId = logicalId(hub.stateless, hub.stateless.accessLogs);
    expect(settings?.DestinationArn).toEqual({ 'Fn::GetAtt': [accessLogsId, 'Arn'] });
    expect(settings?.Format).toContain('$context.requestId');
    const fields = JSON.parse(settings?.Format ?? '{}') as Record<string, string>;
    expect(fields).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      integrationErrorMessage: '$context.integrationErrorMessage',
    });
    const group = resourcesOf(stateless, 'AWS::Logs::LogGroup')[accessLogsId];
    expect(props(group).RetentionInDays).toBe(365);
    expect(group?.DeletionPolicy).toBe('Retain');
  });

  it('sends every alarm, firing and clearing, to the operator alerts topic', () => {
    const topicRef = { Ref: logicalId(hub.stateless, hub.stateless.alarmTopic) };
    expect(Object.keys(resourcesOf(stateless, 'AWS::SNS::Topic'))).toEqual([topicRef.Ref]);
    const alarms = Object.entries(resourcesOf(stateless, 'AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const [id, alarm] of alarms) {
      expect(props(alarm).AlarmActions, `AlarmActions of ${id}`).toContainEqual(topicRef);
      expect(props(alarm).OKActions, `OKActions of ${id}`).toContainEqual(topicRef);
    }
  });

  it("lets only TLS publishers and this account's CloudWatch alarms publish to the alerts topic", () => {
    const topicRef = { Ref: logicalId(hub.stateless, hub.stateless.alarmTopic) };
    const policies = Object.values(resourcesOf(stateless, 'AWS::SNS::TopicPolicy')).map(props);
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Topics).toEqual([topicRef]);
    const document = policies[0]?.PolicyDocument as { Statement: unknown[] } | undefined;
    const statements = document?.Statement ?? [];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicRef,
        Condition: expect.objectContaining({
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        }),
      }),
    );
    // No subscription unless the alertEmail context asks for one.
    stateless.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it("alarms on each partner's DLQ depth and outbox age", () => {
    const alarms = Object.values(resourcesOf(stateless, 'AWS::CloudWatch::Alarm')).map(props);
    expect(alarms).toHaveLength(queues().length * 2);
    const alarmOn = (metric: string, queueId: string) =>
      alarms.filter(
        (alarm) =>
          alarm.MetricName === metric &&
          alarm.Namespace === 'AWS/SQS' &&
          key(alarm.Dimensions) ===
            key([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]),
      );
    for (const spec of queues()) {
      expect(spec.partnerId, `queue ${spec.name} serves a partner`).toBeDefined();
      const channel = hub.stateless.channels[spec.name];
      if (!channel) throw new Error(`no channel for ${spec.name}`);
      const dlqAlarms = alarmOn(
        'ApproximateNumberOfMessagesVisible',
        logicalId(hub.stateless, channel.deadLetterQueue),
      );
      expect(dlqAlarms, `DLQ alarm of ${spec.partnerId}`).toHaveLength(1);
      expect(dlqAlarms[0]).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      const ageAlarms = alarmOn('ApproximateAgeOfOldestMessage', logicalId(hub.stateless, channel.queue));
      expect(ageAlarms, `age alarm of ${spec.partnerId}`).toHaveLength(1);
      expect(ageAlarms[0]).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold' });
      expect(ageAlarms[0]?.Threshold).toBeGreaterThan(0);
    }
  });

  it('bundles each function as one ESM file within the size budget', () => {
    const outdir = hub.stateless.node.root instanceof App ? hub.stateless.node.root.outdir : '';
    const declared = resourcesOf(stateless, 'AWS::Lambda::Function');
    for (const name of functionNames) {
      const p = props(declared[logicalId(hub.stateless, hub.stateless.functions[name].function)]);
      expect(p.Handler, name).toBe('index.handler');
      const hash = String((p.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
      const bundle = join(outdir, `asset.${hash}`, 'index.mjs');
      expect(readFileSync(bundle, 'utf8').startsWith('import { createRequire }'), name).toBe(true);
      expect(statSync(bundle).size, `${name} bundle bytes`).toBeLessThan(BUNDLE_BUDGET_BYTES);
    }
  });
});

describe('hub signing key rotation (context hubSigningKeys)', () => {
  const NEXT = '2026-12';

  it('with two keys listed, declares two retained keys and keeps the original one unchanged', () => {
    const two = synthHub({ [SIGNING_KEYS_CONTEXT]: [ORIGINAL_SIGNING_KEY, NEXT] });
    const keys = resourcesOf(two.stateful, 'AWS::KMS::Key');
    expect(Object.keys(keys)).toHaveLength(2);
    for (const declared of Object.values(keys)) {
      expect(props(declared)).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
      expect(declared.DeletionPolicy).toBe('Retain');
    }
    // Byte for byte what the default app declares: adding a key does not even update the first.
    expect(keys[ORIGINAL_SIGNING_KEY_LOGICAL_ID]).toEqual(
      resourcesOf(stateful, 'AWS::KMS::Key')[ORIGINAL_SIGNING_KEY_LOGICAL_ID],
    );
    expect(logicalId(two.hub.stateful, signingKeyNamed(two.hub, NEXT))).not.toBe(
      ORIGINAL_SIGNING_KEY_LOGICAL_ID,
    );
  });

  for (const order of [
    [ORIGINAL_SIGNING_KEY, NEXT],
    [NEXT, ORIGINAL_SIGNING_KEY],
  ]) {
    it(`lists [${order.join(', ')}] in that order in every signing function, with access to both`, () => {
      const two = synthHub({ [SIGNING_KEYS_CONTEXT]: order });
      const ids = order.map((name) => logicalId(two.hub.stateful, signingKeyNamed(two.hub, name)));
      // The logical ids depend on the names only, whatever the order: reordering replaces nothing.
      expect(ids[order.indexOf(ORIGINAL_SIGNING_KEY)]).toBe(ORIGINAL_SIGNING_KEY_LOGICAL_ID);
      const arns = order.map((name) => signingKeyNamed(two.hub, name).keyArn);
      const policies = Object.values(resourcesOf(two.stateless, 'AWS::IAM::Policy')).map(props);
      for (const name of signingFunctions) {
        const value = functionVariables(two.hub, two.stateless, name).HUB_SIGNING_KEY_IDS;
        expect(value, name).toEqual(two.hub.stateless.resolve(arns.join(',')));
        const spelled = key(value);
        const [first, second] = ids.map((id) => spelled.indexOf(`ExportsOutputFnGetAtt${id}Arn`));
        expect(first, `${name}: first key`).toBeGreaterThanOrEqual(0);
        expect(second, `${name}: second key after the first`).toBeGreaterThan(first as number);

        const fn = two.hub.stateless.functions[name].function;
        const role = key({ Ref: two.hub.stateless.getLogicalId(fn.role?.node.defaultChild as CfnElement) });
        const granted = policies
          .filter((policy) => (policy.Roles as unknown[]).some((r) => key(r) === role))
          .flatMap((policy) => (policy.PolicyDocument as { Statement: Statement[] }).Statement)
          .flatMap((statement) =>
            asList(statement.Action).flatMap((action) =>
              asList(statement.Resource).map((resource) => `${action} ${key(resource)}`),
            ),
          );
        for (const arn of arns) {
          for (const action of ['kms:Sign', 'kms:GetPublicKey']) {
            expect(granted, name).toContain(`${action} ${key(two.hub.stateless.resolve(arn))}`);
          }
        }
      }
    });
  }

  it('reads the context as `cdk -c` passes it: a comma-separated list or a JSON array string', () => {
    for (const spelled of [`${NEXT},${ORIGINAL_SIGNING_KEY}`, JSON.stringify([NEXT, ORIGINAL_SIGNING_KEY])]) {
      const app = new App({
        context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], [SIGNING_KEYS_CONTEXT]: spelled },
      });
      const parsed = createDeltaHub(app);
      expect(parsed.stateful.signingKeys.map((signingKey) => logicalId(parsed.stateful, signingKey))).toEqual(
        [logicalId(parsed.stateful, signingKeyNamed(parsed, NEXT)), ORIGINAL_SIGNING_KEY_LOGICAL_ID],
      );
    }
  });

  it('refuses an empty list, a name listed twice, a malformed name and more keys than the JWKS holds', () => {
    const build = (names: readonly string[]) => () =>
      new StatefulStack(new App(), 'DeltaHubStateful', { signingKeyNames: names });
    expect(build([])).toThrow(/at least one/);
    expect(build([NEXT, NEXT])).toThrow(/twice/);
    expect(build(['2026-12', '202612'])).toThrow(/twice/);
    expect(build(['2026/12'])).toThrow(/must be/);
    const tooMany = Array.from({ length: MAX_SIGNING_KEYS + 1 }, (_, index) => `k${index}`);
    expect(build(tooMany)).toThrow(/at most/);
  });
});

describe('operator alerts', () => {
  it('subscribes the alertEmail context address to the alerts topic by email', () => {
    const withEmail = synthHub({ [ALERT_EMAIL_CONTEXT]: 'hub-ops@example.gov.cn' });
    const subscriptions = Object.values(resourcesOf(withEmail.stateless, 'AWS::SNS::Subscription')).map(
      props,
    );
    expect(subscriptions).toEqual([
      expect.objectContaining({
        Protocol: 'email',
        Endpoint: 'hub-ops@example.gov.cn',
        TopicArn: { Ref: logicalId(withEmail.hub.stateless, withEmail.hub.stateless.alarmTopic) },
      }),
    ]);
  });

  it('uses a topic passed in instead of creating one', () => {
    const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
    const ops = new Stack(app, 'Ops');
    const shared = new Topic(ops, 'SharedAlerts');
    const keys = new StatefulStack(app, 'DeltaHubStateful');
    const stack = new StatelessStack(app, 'DeltaHubStateless', {
      tables: keys.tables,
      signingKeys: keys.signingKeys,
      alarmTopic: shared,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    const expected = stack.resolve(shared.topicArn);
    for (const [id, alarm] of Object.entries(resourcesOf(template, 'AWS::CloudWatch::Alarm'))) {
      expect(props(alarm).AlarmActions, id).toEqual([expected]);
      expect(props(alarm).OKActions, id).toEqual([expected]);
    }
  });
});

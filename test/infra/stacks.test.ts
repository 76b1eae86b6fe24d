import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDeltaHub, type DeltaHub } from '#infra/stacks/delta-hub.ts';
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

const functionNames = Object.keys(functions) as FunctionName[];
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
    const retentions = Object.values(resourcesOf(stateless, 'AWS::Logs::LogGroup')).map(
      (group) => props(group).RetentionInDays,
    );
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
        hubSigningKeyIds: () => [hub.stateful.signingKey.keyArn],
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
      if (spec.kms === 'sign') allow(['kms:Sign', 'kms:GetPublicKey'], hub.stateful.signingKey.keyArn);
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

import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  type HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type ILogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { HubFunction } from '#infra/constructs/hub-function.ts';
import { PartnerChannel } from '#infra/constructs/partner-channel.ts';
import {
  DEFAULT_ROUTE,
  eventSources,
  type FunctionName,
  functions,
  queues,
  routes,
  type TableName,
} from '#infra/topology.ts';

/**
 * One JSON object per request in the API's access log. Who the caller is stays out: API Gateway
 * never sees the partner (that is in the signature the function verifies), so identity is in the
 * function's logs, which carry the same `requestId` (`requestContext.requestId`).
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationErrorMessage: '$context.integrationErrorMessage',
} as const;

export interface StatelessStackProps extends StackProps {
  readonly tables: Readonly<Record<TableName, ITable>>;
  /**
   * The hub's signing keys in order: the first signs, all are published in the JWKS. Every
   * function that signs is told all of them (`HUB_SIGNING_KEY_IDS`) and may use all of them.
   */
  readonly signingKeys: readonly IKey[];
  /**
   * Where the partner channel alarms notify operators, on ALARM and back to OK. A topic passed
   * here is used as it is: its policy must let `cloudwatch.amazonaws.com` publish.
   * @default - a new `OperatorAlerts` topic, TLS only, that this account's alarms may publish to
   */
  readonly alarmTopic?: ITopic;
  /**
   * An address subscribed to the alarm topic by email (SNS sends it a confirmation first).
   * @default - no subscription: subscribe operators to the topic outside the stack
   */
  readonly alertEmail?: string;
  /**
   * Retention of the API access log. A year covers the six months the PRC Cybersecurity Law
   * (Art. 21) requires network logs to be kept, with room for an audit of the past year.
   * @default RetentionDays.ONE_YEAR
   */
  readonly accessLogRetention?: RetentionDays;
  /**
   * Default throttling of the API stage, for every route.
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: ThrottleSettings;
}

/**
 * Everything that can be replaced without losing data: the HTTP API, the functions, and one
 * channel (outbox + DLQ + alarms + consumer) per partner. All of it is derived from the topology;
 * nothing here names a route, a queue or a variable.
 */
export class StatelessStack extends Stack {
  readonly functions: Readonly<Record<FunctionName, HubFunction>>;
  /** Partner channels by topology queue name. */
  readonly channels: Readonly<Record<string, PartnerChannel>>;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** Where every alarm of the stack notifies operators. */
  readonly alarmTopic: ITopic;
  /** The `$default` stage's access log: one JSON line per request (`ACCESS_LOG_FIELDS`). */
  readonly accessLogs: ILogGroup;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    if (props.signingKeys.length === 0) throw new Error('the hub needs at least one signing key');

    this.alarmTopic = props.alarmTopic ?? this.createOperatorAlerts();
    if (props.alertEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alertEmail));
    const alarmAction = new SnsAction(this.alarmTopic);

    // Queues first: functions that send to them are given their URLs.
    this.channels = Object.fromEntries(
      queues().map((spec) => [spec.name, new PartnerChannel(this, spec.name, { spec, alarmAction })]),
    );
    const queuesByName: Record<string, IQueue> = Object.fromEntries(
      Object.entries(this.channels).map(([name, channel]) => [name, channel.queue]),
    );

    const resources = { tables: props.tables, signingKeys: props.signingKeys, queues: queuesByName };
    this.functions = Object.fromEntries(
      (Object.keys(functions) as FunctionName[]).map((name) => [
        name,
        new HubFunction(this, name, { name, resources }),
      ]),
    ) as Record<FunctionName, HubFunction>;

    for (const source of eventSources()) {
      const channel = this.channels[source.queue];
      if (!channel)
        throw new Error(`event source reads queue ${source.queue}, which the topology does not declare`);
      channel.addConsumer(this.functions[source.function].function, source);
    }

    this.api = new HttpApi(this, 'Api', {
      description: 'Delta Hub: signed partner API',
      createDefaultStage: false,
    });
    // Retained: the audit trail outlives a replaced or deleted stack.
    this.accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${route.function}-integration`,
          this.functions[route.function].function,
          {
            payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
          },
        );
        integrations.set(route.function, integration);
      }
      if (route.path === DEFAULT_ROUTE) {
        new HttpRoute(this, 'DefaultRoute', {
          httpApi: this.api,
          routeKey: HttpRouteKey.DEFAULT,
          integration,
        });
      } else {
        this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the hub API' });
  }

  /**
   * The operators' alert topic. Its policy replaces SNS's default one (which is what `enforceSSL`
   * adds to), so it must say itself that this account's CloudWatch alarms may publish: without
   * that statement every alarm action fails with "not authorized to perform: SNS:Publish".
   * Unencrypted on purpose: CloudWatch cannot publish to a topic under the AWS-managed SNS key,
   * and the messages hold queue names and metric values only.
   */
  private createOperatorAlerts(): ITopic {
    const topic = new Topic(this, 'OperatorAlerts', {
      displayName: 'Delta Hub operator alerts',
      enforceSSL: true,
      signatureVersion: '2',
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );
    return topic;
  }
}

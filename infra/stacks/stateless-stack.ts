import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  type HttpStage,
  PayloadFormatVersion,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
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

export interface StatelessStackProps extends StackProps {
  readonly tables: Readonly<Record<TableName, ITable>>;
  readonly signingKey: IKey;
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

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);

    // Queues first: functions that send to them are given their URLs.
    this.channels = Object.fromEntries(
      queues().map((spec) => [spec.name, new PartnerChannel(this, spec.name, { spec })]),
    );
    const queuesByName: Record<string, IQueue> = Object.fromEntries(
      Object.entries(this.channels).map(([name, channel]) => [name, channel.queue]),
    );

    const resources = { tables: props.tables, signingKeys: [props.signingKey], queues: queuesByName };
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
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
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
}

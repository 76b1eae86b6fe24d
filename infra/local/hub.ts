import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type GatewayRoute, type HttpHandler, startGateway } from '#infra/local/http-gateway.ts';
import { lambdaContext } from '#infra/local/lambda-context.ts';
import { type ProvisionedResources, provision } from '#infra/local/provision.ts';
import { SqsEventSource, type SqsHandler } from '#infra/local/sqs-event-source.ts';
import {
  eventSources,
  type FunctionName,
  functionEnvironment,
  functions,
  type ResourceLocator,
  routes,
} from '#infra/topology.ts';
import { RegistryStore } from '#lib/registry/registry-store.ts';

/**
 * The local hub: the topology's resources in an emulator, its routes behind a local API Gateway,
 * its queues polled like Lambda event sources, all invoking the same handler modules that are
 * deployed. Handlers run in this process, so the environment is set before they are imported.
 */
export interface LocalHubOptions {
  /** Emulator or AWS endpoint; undefined = the SDK's default resolution (real AWS). */
  awsEndpoint?: string;
  region?: string;
  /** Resource name prefix; one emulator can hold several isolated hubs. */
  prefix: string;
  port?: number;
  /** Local-only: shorter queue visibility timeout so retries and DLQ moves happen in seconds. */
  visibilityTimeoutSeconds?: number;
  /** Extra environment for the handlers (e.g. REGISTRY_CACHE_SECONDS=0 in tests). */
  environment?: Record<string, string>;
  /** Log handler failures from the event sources (default: console.error). */
  onEventSourceError?: (error: unknown) => void;
}

export interface LocalHub {
  url: string;
  resources: ProvisionedResources;
  registry: RegistryStore;
  clients: { dynamo: DynamoDBClient; sqs: SQSClient; kms: KMSClient };
  eventSources: SqsEventSource[];
  stop(): Promise<void>;
}

export async function startLocalHub(options: LocalHubOptions): Promise<LocalHub> {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const endpoint = options.awsEndpoint;
  const clientConfig = { region, ...(endpoint ? { endpoint } : {}) };
  const clients = {
    dynamo: new DynamoDBClient(clientConfig),
    sqs: new SQSClient(clientConfig),
    kms: new KMSClient(clientConfig),
  };

  const resources = await provision(clients, {
    prefix: options.prefix,
    ...(options.visibilityTimeoutSeconds === undefined
      ? {}
      : { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }),
  });
  const locator: ResourceLocator = {
    tableName: (table) => resources.tableNames[table],
    queueUrl: (queue) => resources.queueUrls[queue] as string,
    hubSigningKeyIds: () => [resources.hubSigningKeyId],
  };
  // All handlers share this process, so they share one environment: the union of what each is
  // given. The names are the same ones the stack sets per function.
  for (const name of Object.keys(functions) as FunctionName[])
    Object.assign(process.env, functionEnvironment(name, locator));
  Object.assign(process.env, {
    AWS_REGION: region,
    ...(endpoint ? { AWS_ENDPOINT_URL: endpoint } : {}),
    ...options.environment,
  });

  const loaded = new Map<FunctionName, Promise<unknown>>();
  const load = <T>(name: FunctionName): Promise<T> => {
    if (!loaded.has(name)) {
      const url = pathToFileURL(new URL(`../../${functions[name].entry}`, import.meta.url).pathname).href;
      loaded.set(
        name,
        import(url).then((module: { handler: T }) => module.handler),
      );
    }
    return loaded.get(name) as Promise<T>;
  };

  const gatewayRoutes: GatewayRoute[] = routes.map((route) => ({
    ...route,
    invoke: async (event, context) => (await load<HttpHandler>(route.function))(event, context),
    context: () => lambdaContext(route.function, functions[route.function].timeoutSeconds),
  }));
  const { server, url } = await startGateway(gatewayRoutes, options.port ?? 0);

  const sources = eventSources().map(
    (source) =>
      new SqsEventSource({
        sqs: clients.sqs,
        queueUrl: resources.queueUrls[source.queue] as string,
        queueArn: resources.queueArns[source.queue] as string,
        batchSize: source.batchSize,
        region,
        handler: async (event, context) => (await load<SqsHandler>(source.function))(event, context),
        context: () => lambdaContext(source.function, functions[source.function].timeoutSeconds),
        onError: options.onEventSourceError ?? ((error) => console.error(`[${source.queue}]`, error)),
      }),
  );
  for (const source of sources) source.start();

  const registry = new RegistryStore(
    DynamoDBDocumentClient.from(clients.dynamo),
    resources.tableNames.registry,
  );
  return {
    url,
    resources,
    registry,
    clients,
    eventSources: sources,
    async stop() {
      await Promise.all(sources.map((source) => source.stop()));
      await closeServer(server);
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}

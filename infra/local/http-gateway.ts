import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DEFAULT_ROUTE, type RouteSpec, routeKey } from '#infra/topology.ts';
import { decodePath } from '#lib/http/request-target.ts';

/**
 * The local stand-in for API Gateway HTTP API: turns HTTP requests into payload-format-2.0 events
 * for the route's handler and the handler's result back into HTTP. Like API Gateway it caps
 * bodies at 10 MB and answers unknown routes itself, as a problem document.
 */
export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface GatewayRoute extends RouteSpec {
  invoke: HttpHandler;
  context: () => Context;
}

const GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;
const TEXT_TYPES = /^(application\/([\w.-]+\+)?json|text\/|application\/x-www-form-urlencoded)/i;

export function startGateway(
  routes: GatewayRoute[],
  port = 0,
  host = '127.0.0.1',
): Promise<{ server: Server; url: string }> {
  const matchers = routes
    .filter((route) => route.path !== DEFAULT_ROUTE)
    .map((route) => ({ route, ...compile(route.path) }));
  const fallback = routes.find((route) => route.path === DEFAULT_ROUTE);
  const server = createServer((req, res) => {
    handle(req, res, matchers, fallback).catch((error: unknown) => {
      console.error('local gateway failure', error);
      if (!res.headersSent)
        send(res, 500, gatewayProblem(500, 'internal-error', 'Internal error', 'local gateway failure'));
    });
  });
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      resolve({ server, url: `http://${host}:${actualPort}` });
    });
  });
}

function compile(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const pattern = path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param) {
        names.push(param[1] as string);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { regex: new RegExp(`^${pattern}$`), names };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  matchers: ({ route: GatewayRoute } & ReturnType<typeof compile>)[],
  fallback: GatewayRoute | undefined,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const rawUrl = req.url ?? '/';
  const queryAt = rawUrl.indexOf('?');
  const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_BODY_LIMIT) {
      send(
        res,
        413,
        gatewayProblem(
          413,
          'payload-too-large',
          'Request body too large',
          'API Gateway accepts at most 10 MB',
        ),
      );
      req.destroy();
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);

  // Like API Gateway HTTP API: the path is percent-decoded before routing, and the function gets
  // it decoded too (rawPath and pathParameters alike); the query string stays as sent.
  const decodedPath = decodePath(rawPath);
  const samePath = matchers.filter((matcher) => matcher.regex.test(decodedPath));
  const found =
    samePath.find((matcher) => matcher.route.method === method) ??
    (fallback ? { route: fallback, regex: /^/, names: [] as string[] } : undefined);
  if (!found) {
    // Only when no $default route is declared (API Gateway's own behaviour, as a problem).
    const status = samePath.length > 0 ? 405 : 404;
    send(
      res,
      status,
      gatewayProblem(
        status,
        status === 404 ? 'route-not-found' : 'method-not-allowed',
        status === 404 ? 'No such route' : 'Method not allowed',
        status === 404
          ? `no route for ${method} ${rawPath}: see docs/protocol.md for the API`
          : `${rawPath} does not accept ${method}`,
      ),
    );
    return;
  }
  const values = found.names.length > 0 ? (found.regex.exec(decodedPath)?.slice(1) ?? []) : [];
  const pathParameters = Object.fromEntries(found.names.map((name, i) => [name, values[i] as string]));

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || (TEXT_TYPES.test(contentType) && isUtf8(body));
  const now = new Date();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: routeKey(found.route),
    rawPath: decodedPath,
    rawQueryString,
    cookies: headers.cookie ? headers.cookie.split(';').map((c) => c.trim()) : undefined,
    headers,
    queryStringParameters: rawQueryString
      ? Object.fromEntries(new URLSearchParams(rawQueryString))
      : undefined,
    pathParameters: found.names.length > 0 ? pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: decodedPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKey(found.route),
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: body.length === 0 ? undefined : isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !isText,
  };
  const result = await found.route.invoke(event, found.route.context());
  const responseBody =
    result.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(result.statusCode ?? 200, {
    ...(result.headers as Record<string, string>),
    'content-length': responseBody.length,
  });
  res.end(responseBody);
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function gatewayProblem(status: number, code: string, title: string, detail: string) {
  return {
    type: `https://delta-hub.example/problems/${code}`,
    title,
    status,
    detail,
    correlationId: randomUUID(),
  };
}

function send(res: ServerResponse, status: number, problem: object): void {
  const body = JSON.stringify(problem);
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

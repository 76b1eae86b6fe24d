import { randomBytes } from 'node:crypto';
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PROBLEM_CONTENT_TYPE, toProblem } from '#lib/http/problem-details.ts';
import { pathAndQuery } from '#lib/http/request-target.ts';
import { verifiedCallers } from '#lib/http/verified-callers.ts';
import { hubSigner } from '#lib/hub-runtime.ts';
import { logger } from '#lib/logger.ts';
import { HUB_ISSUER, RESPONSE_TYP, SIGNATURE_HEADER } from '#lib/signing/protocol.ts';
import { signDetached } from '#lib/signing/signer.ts';

type HttpRequest = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/**
 * after + onError: signs whatever answer leaves the function, success or problem, with the hub's
 * key. The signature binds the body, the status, the request's method and target and (for a
 * verified request) the request's nonce, so a partner can prove what the hub answered to what.
 */
export function signResponses(): middy.MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2
> {
  const sign = async (request: HttpRequest): Promise<void> => {
    const response = request.response;
    if (!response) return;
    const { event } = request;
    const body = Buffer.from(response.body ?? '', response.isBase64Encoded ? 'base64' : 'utf8');
    const caller = verifiedCallers.get(event);
    const header = {
      typ: RESPONSE_TYP,
      iss: HUB_ISSUER,
      htm: event.requestContext.http.method.toUpperCase(),
      // A verified request's own htu (it matched in canonical form): the partner compares it with
      // what it sent, byte for byte. Otherwise the target as the hub received it.
      htu: caller ? caller.header.htu : pathAndQuery(event),
      iat: Math.floor(Date.now() / 1000),
      jti: randomBytes(16).toString('base64url'),
      sts: response.statusCode ?? 200,
      ...(caller ? { irt: caller.header.jti } : {}),
    };
    request.response = {
      ...response,
      headers: {
        ...response.headers,
        [SIGNATURE_HEADER]: await signDetached(await hubSigner(), header, body),
        'x-correlation-id': event.requestContext.requestId,
      },
    };
  };
  return {
    after: sign,
    onError: async (request) => {
      try {
        await sign(request);
      } catch (error) {
        // Without a working signer the hub cannot answer properly; say so plainly, unsigned,
        // rather than letting the runtime turn it into an opaque gateway error.
        logger.error('response signing failed', { error: error as Error });
        const correlationId = request.event.requestContext?.requestId ?? request.context.awsRequestId;
        const problem = toProblem(error, correlationId, request.event.rawPath);
        request.response = {
          statusCode: 500,
          headers: {
            'content-type': PROBLEM_CONTENT_TYPE,
            'cache-control': 'no-store',
            'x-correlation-id': correlationId,
          },
          body: JSON.stringify(problem),
        };
      }
    },
  };
}

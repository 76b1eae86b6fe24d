import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  ForbiddenError,
  MalformedBodyError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '#lib/errors.ts';
import { problemResponses } from '#lib/http/problem-responses.ts';
import { pathAndQuery } from '#lib/http/request-target.ts';
import { signResponses } from '#lib/http/sign-responses.ts';
import { verifiedCallers } from '#lib/http/verified-callers.ts';
import { maxBodyBytes, requestVerifier } from '#lib/hub-runtime.ts';
import { logger } from '#lib/logger.ts';
import type { Role } from '#lib/registry/partner.ts';
import { SIGNATURE_HEADER } from '#lib/signing/protocol.ts';
import type { VerifiedCaller } from '#lib/signing/request-verifier.ts';
import type { Validator } from '#lib/validation.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** What a use case receives: a verified caller and a body that already matches its schema. */
export interface SignedRouteInput<Req> {
  caller: VerifiedCaller;
  body: Req;
  event: HttpEvent;
  correlationId: string;
}

export interface RouteResult<Res> {
  status: number;
  body: Res;
  headers?: Record<string, string>;
}

export interface SignedRouteOptions<Req, Res> {
  /** Roles admitted to this route; a caller needs at least one of them. */
  roles: readonly Role[];
  /** Request body contract; omit for routes without a body (GET). */
  request?: Validator<Req>;
  /** Response body contract: what the hub says is checked as strictly as what it hears. */
  response: Validator<Res>;
  /**
   * For a route whose valid bodies can exceed MAX_BODY_BYTES (e.g. a batch of 100 credentials):
   * it accepts up to the larger of the two. Default: MAX_BODY_BYTES alone.
   */
  maxBodyBytes?: number;
}

/** The raw body bytes as the partner signed them. */
export function bodyBytes(event: HttpEvent): Uint8Array {
  if (event.body === undefined || event.body === null) return new Uint8Array();
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/**
 * Wraps a handler for an unauthenticated route (e.g. the JWKS): no signature is required, but the
 * answer is still a signed one and failures are still problems.
 */
export function publicRoute(handler: (event: HttpEvent) => Promise<HttpResult>) {
  return middy<HttpEvent, HttpResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(signResponses())
    .use(problemResponses())
    .use(httpHeaderNormalizer())
    .handler(handler);
}

/**
 * Wraps a use case as a signed partner API route. In order: refuse oversized bodies (413), verify
 * the detached JWS against the trust registry and replay store (401/403), check the caller's role
 * (403), parse and validate the body (400/415), run the use case, validate and sign the answer.
 * Every failure leaves as a signed RFC 9457 problem.
 */
export function signedRoute<Req, Res>(
  options: SignedRouteOptions<Req, Res>,
  useCase: (input: SignedRouteInput<Req>) => Promise<RouteResult<Res>>,
) {
  return middy<HttpEvent, HttpResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(signResponses())
    .use(problemResponses())
    .use(httpHeaderNormalizer())
    .handler(async (event) => {
      const bytes = bodyBytes(event);
      const limit = Math.max(options.maxBodyBytes ?? 0, maxBodyBytes());
      if (bytes.byteLength > limit) {
        throw new PayloadTooLargeError(`body is ${bytes.byteLength} bytes; the limit is ${limit} bytes`);
      }
      const caller = await requestVerifier().verify({
        method: event.requestContext.http.method,
        pathAndQuery: pathAndQuery(event),
        body: bytes,
        signature: event.headers[SIGNATURE_HEADER],
      });
      verifiedCallers.set(event, caller);
      logger.appendKeys({ partnerId: caller.partner.partnerId, kid: caller.key.kid });
      if (!caller.partner.roles.some((role) => options.roles.includes(role))) {
        throw new ForbiddenError(
          'role-forbidden',
          `this operation needs one of the roles [${options.roles.join(', ')}]; partner ${caller.partner.partnerId} holds [${caller.partner.roles.join(', ')}]`,
        );
      }
      const body = options.request ? parseBody(event, bytes, options.request) : (undefined as Req);
      const result = await useCase({ caller, body, event, correlationId: event.requestContext.requestId });
      const problems = options.response.check(result.body);
      if (problems.length > 0) {
        // Our bug, not the caller's: log the contract breach, answer with a generic 500.
        throw new Error(`response breaks ${options.response.schemaId}: ${JSON.stringify(problems)}`);
      }
      return {
        statusCode: result.status,
        headers: { 'content-type': 'application/json', ...result.headers },
        body: JSON.stringify(result.body),
      };
    });
}

function parseBody<Req>(event: HttpEvent, bytes: Uint8Array, validator: Validator<Req>): Req {
  if (bytes.byteLength === 0) {
    throw new ValidationError('a JSON body is required', [{ pointer: '', detail: 'is required' }]);
  }
  const contentType = event.headers['content-type'] ?? '';
  if (!/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(
      `send the body as application/json (got "${contentType || 'no content-type'}")`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new MalformedBodyError(
      `body is not UTF-8 JSON: ${cause instanceof Error ? cause.message : 'parse failed'}`,
      {
        cause,
      },
    );
  }
  const errors = validator.check(value);
  if (errors.length > 0) {
    throw new ValidationError(`body does not match ${validator.schemaId}`, errors);
  }
  return value as Req;
}

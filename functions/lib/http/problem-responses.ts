import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HubError } from '#lib/errors.ts';
import { PROBLEM_CONTENT_TYPE, toProblem } from '#lib/http/problem-details.ts';
import { logger } from '#lib/logger.ts';
import { compileSchema } from '#lib/validation.ts';
import problemSchema from '#schemas/problem/v1.json' with { type: 'json' };

const problemContract = compileSchema(problemSchema);

/**
 * onError: turns a thrown error into an RFC 9457 answer. Known `HubError`s are the caller's to fix
 * and are logged at info; anything else is logged with its stack and answered with a generic 500
 * that carries only the correlation id.
 */
export function problemResponses(): middy.MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2
> {
  return {
    onError: async (request) => {
      const { error, event } = request;
      const correlationId = event.requestContext?.requestId ?? request.context.awsRequestId;
      if (error instanceof HubError) {
        // Code and status only: a detail can quote caller data (a licence number may be an ID number).
        logger.info('request refused', { problem: error.code, status: error.status });
      } else {
        logger.error('request failed', { error: error as Error });
      }
      let problem = toProblem(error, correlationId, event.rawPath);
      if (problemContract.check(problem).length > 0) {
        logger.error('problem document breaks its schema', { problem });
        problem = toProblem(new Error('invalid problem'), correlationId, event.rawPath);
      }
      request.response = {
        statusCode: problem.status,
        headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' },
        body: JSON.stringify(problem),
      };
    },
  };
}

import { NotFoundError } from '#lib/errors.ts';
import { publicRoute } from '#lib/http/signed-route.ts';

/**
 * The API's `$default` route: any method and path no other route takes gets a signed 404
 * problem, the same shape as every other error, instead of API Gateway's own bare message.
 */
export const handler = publicRoute(async (event) => {
  throw new NotFoundError(
    `no route for ${event.requestContext.http.method} ${event.rawPath}; the API is described in docs/protocol.md`,
  );
});

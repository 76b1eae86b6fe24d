import { publicRoute } from '#lib/http/signed-route.ts';
import { hubPublicJwks } from '#lib/hub-runtime.ts';
import { compileSchema } from '#lib/validation.ts';
import jwksSchema from '#schemas/jwks/v1.json' with { type: 'json' };

/** GET /.well-known/jwks.json: the hub's public keys, so partners can verify what the hub signs. */
const jwksContract = compileSchema(jwksSchema);

export const handler = publicRoute(async () => {
  const body = { keys: await hubPublicJwks() };
  const problems = jwksContract.check(body);
  if (problems.length > 0) throw new Error(`JWKS breaks its schema: ${JSON.stringify(problems)}`);
  return {
    statusCode: 200,
    // Short shared caching: rotation publishes the next key well before it signs anything.
    headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
    body: JSON.stringify(body),
  };
});

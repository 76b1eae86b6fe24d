import { NotFoundError } from '#lib/errors.ts';
import { signedRoute } from '#lib/http/signed-route.ts';
import { partnerDirectory, statusCacheSeconds } from '#lib/hub-runtime.ts';
import { statusListPathContract, statusListResponseContract } from '#lib/licences/licence-contracts.ts';
import { statusListPublisher } from '#lib/licences/licence-runtime.ts';
import { pathParameters } from '#lib/licences/route-input.ts';
import { ROLES } from '#lib/registry/partner.ts';

/**
 * GET /v1/status-lists/{issuerId}: a credential issuer's revocation and suspension lists as a
 * hub-signed compact JWS (typ delta-hub-status-list+jwt), for verifiers that check passes and
 * licences offline. Any signed partner may fetch it; answers are cached per instance ≤ 60 s.
 */
export const handler = signedRoute(
  { roles: ROLES, response: statusListResponseContract },
  async ({ event }) => {
    const { issuerId } = pathParameters(event, statusListPathContract);
    const issuer = await partnerDirectory().get(issuerId);
    if (!issuer?.roles.includes('credential-issuer')) {
      throw new NotFoundError(`${issuerId} is not a registered credential issuer`);
    }
    return {
      status: 200,
      body: await statusListPublisher().get(issuerId),
      headers: { 'cache-control': `private, max-age=${statusCacheSeconds()}` },
    };
  },
);

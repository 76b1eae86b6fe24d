import { signedRoute } from '#lib/http/signed-route.ts';
import {
  licencePathContract,
  statusQueryContract,
  statusResponseContract,
} from '#lib/licences/licence-contracts.ts';
import { licenceStore } from '#lib/licences/licence-runtime.ts';
import { licenceStatus } from '#lib/licences/licence-status.ts';
import { pathParameters, queryParameters } from '#lib/licences/route-input.ts';
import { ROLES } from '#lib/registry/partner.ts';

/**
 * GET /v1/licences/{issuer}/{number}/status[?at=<ISO time>]: a licence's status now, or whether it
 * was valid at a past moment. Every role that recognises licences may ask; the issuer alone sees
 * the reasons it gave.
 */
export const handler = signedRoute(
  { roles: ROLES, response: statusResponseContract },
  async ({ caller, event }) => {
    const { issuer, number } = pathParameters(event, licencePathContract);
    const { at } = queryParameters(event, statusQueryContract);
    return {
      status: 200,
      body: await licenceStatus(
        {
          caller: { partnerId: caller.partner.partnerId },
          issuerId: issuer,
          licenceNo: number ?? '',
          ...(at === undefined ? {} : { at }),
        },
        { store: licenceStore(), now: () => new Date() },
      ),
    };
  },
);

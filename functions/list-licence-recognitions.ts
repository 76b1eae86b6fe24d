import { signedRoute } from '#lib/http/signed-route.ts';
import {
  licencePathContract,
  recognitionsQueryContract,
  recognitionsResponseContract,
} from '#lib/licences/licence-contracts.ts';
import { licenceStore } from '#lib/licences/licence-runtime.ts';
import { listRecognitions } from '#lib/licences/recognitions.ts';
import { pathParameters, queryParameters } from '#lib/licences/route-input.ts';

/**
 * GET /v1/licences/{issuer}/recognitions?licenceNo=&from=&to=&limit=&cursor=: who recognised the
 * issuer's licences, when, with what outcome and purpose. The issuer only; paginated, bounded.
 */
export const handler = signedRoute(
  { roles: ['credential-issuer'], response: recognitionsResponseContract },
  async ({ caller, event }) => {
    const { issuer } = pathParameters(event, licencePathContract);
    const query = queryParameters(event, recognitionsQueryContract);
    return {
      status: 200,
      body: await listRecognitions(
        { caller: { partnerId: caller.partner.partnerId }, issuerId: issuer, ...query },
        { store: licenceStore(), now: () => new Date() },
      ),
    };
  },
);

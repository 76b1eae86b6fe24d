import { signedRoute } from '#lib/http/signed-route.ts';
import { statusListStore } from '#lib/hub-runtime.ts';
import {
  licencePathContract,
  statusChangeRequestContract,
  statusChangeResponseContract,
} from '#lib/licences/licence-contracts.ts';
import { licenceStore } from '#lib/licences/licence-runtime.ts';
import { changeLicenceStatus } from '#lib/licences/licence-status.ts';
import { pathParameters } from '#lib/licences/route-input.ts';

/**
 * POST /v1/licences/{issuer}/{number}/status: the issuer suspends, reinstates, revokes or renews
 * one of its licences, with a reason. Revocation is final. Updates the issuer's status lists.
 */
export const handler = signedRoute(
  {
    roles: ['credential-issuer'],
    request: statusChangeRequestContract,
    response: statusChangeResponseContract,
  },
  async ({ caller, body, event }) => {
    const { issuer, number } = pathParameters(event, licencePathContract);
    return {
      status: 200,
      body: await changeLicenceStatus(
        {
          caller: { partnerId: caller.partner.partnerId },
          issuerId: issuer,
          licenceNo: number ?? '',
          action: body.action,
          reason: body.reason,
          ...(body.validTo === undefined ? {} : { validTo: body.validTo }),
        },
        { store: licenceStore(), bits: statusListStore(), now: () => new Date() },
      ),
    };
  },
);

import { signedRoute } from '#lib/http/signed-route.ts';
import { hubSigner } from '#lib/hub-runtime.ts';
import { verifyRequestContract, verifyResponseContract } from '#lib/licences/licence-contracts.ts';
import { licenceChecker, licenceStore } from '#lib/licences/licence-runtime.ts';
import { verifyLicence } from '#lib/licences/verify-licence.ts';

/**
 * POST /v1/licences/verify: a partner recognises a licence presented to it. Always 200 for a
 * well-formed request: the decision (recognised / rejected + reason), the licence as the caller's
 * role may see it, its status, and a hub-signed receipt; a recognition event is recorded for the
 * issuer. Admitted: every role that recognises licences (see docs/credentials.md).
 */
export const handler = signedRoute(
  {
    roles: ['verifier', 'province', 'municipal-platform', 'lock-operator', 'credential-issuer'],
    request: verifyRequestContract,
    response: verifyResponseContract,
  },
  async ({ caller, body }) => ({
    status: 200,
    body: await verifyLicence(
      {
        caller: { partnerId: caller.partner.partnerId, roles: caller.partner.roles },
        document: body.document,
        ...(body.purpose === undefined ? {} : { purpose: body.purpose }),
      },
      { checker: licenceChecker(), store: licenceStore(), signer: hubSigner, now: () => new Date() },
    ),
  }),
);

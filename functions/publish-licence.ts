import { signedRoute } from '#lib/http/signed-route.ts';
import { statusListStore } from '#lib/hub-runtime.ts';
import { publishRequestContract, publishResponseContract } from '#lib/licences/licence-contracts.ts';
import { licenceChecker, licenceStore } from '#lib/licences/licence-runtime.ts';
import { publishLicence } from '#lib/licences/publish-licence.ts';

/**
 * POST /v1/licences: an issuing province publishes a licence document or its next version.
 * 201 published, 200 unchanged (the same document again); see docs/credentials.md "E-licences".
 */
export const handler = signedRoute(
  { roles: ['credential-issuer'], request: publishRequestContract, response: publishResponseContract },
  async ({ caller, body }) => {
    const { created, answer } = await publishLicence(
      { caller: { partnerId: caller.partner.partnerId }, document: body.document },
      {
        checker: licenceChecker(),
        store: licenceStore(),
        allocate: (issuerId, count) => statusListStore().allocate(issuerId, count, 'licence'),
        now: () => new Date(),
      },
    );
    return { status: created ? 201 : 200, body: answer };
  },
);

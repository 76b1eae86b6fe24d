import { signedRoute } from '#lib/http/signed-route.ts';
import { statusListStore } from '#lib/hub-runtime.ts';
import { allocationRequestContract, allocationResponseContract } from '#lib/passes/contracts.ts';
import { allocateStatusIndices } from '#lib/passes/status-entries.ts';

/**
 * POST /v1/status-lists/{issuerId}/allocations: a credential issuer draws fresh random status
 * indices to put in new passes (`status.idx`). Only for its own list.
 */
export const handler = signedRoute(
  { roles: ['credential-issuer'], request: allocationRequestContract, response: allocationResponseContract },
  async ({ caller, body, event }) => ({
    status: 200,
    body: await allocateStatusIndices(
      {
        callerId: caller.partner.partnerId,
        issuerId: event.pathParameters?.issuerId ?? '',
        count: body.count,
      },
      { store: statusListStore() },
    ),
  }),
);

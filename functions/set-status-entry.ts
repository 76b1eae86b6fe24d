import { signedRoute } from '#lib/http/signed-route.ts';
import { statusListStore } from '#lib/hub-runtime.ts';
import { logger } from '#lib/logger.ts';
import { entryRequestContract, entryResponseContract } from '#lib/passes/contracts.ts';
import { setStatusEntry } from '#lib/passes/status-entries.ts';

/**
 * POST /v1/status-lists/{issuerId}/entries: a credential issuer revokes, suspends or reinstates
 * one of its credentials by status index. Only for its own list; the reason is audit-logged.
 */
export const handler = signedRoute(
  { roles: ['credential-issuer'], request: entryRequestContract, response: entryResponseContract },
  async ({ caller, body, event, correlationId }) => ({
    status: 200,
    body: await setStatusEntry(
      {
        callerId: caller.partner.partnerId,
        issuerId: event.pathParameters?.issuerId ?? '',
        entry: body,
        correlationId,
      },
      { store: statusListStore(), audit: (record) => logger.info('status entry set', { audit: record }) },
    ),
  }),
);

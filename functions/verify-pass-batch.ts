import { signedRoute } from '#lib/http/signed-route.ts';
import { batchRequestContract, batchResponseContract } from '#lib/passes/contracts.ts';
import { PASS_VERIFIER_ROLES } from '#lib/passes/disclosure.ts';
import { PASS_BATCH_MAX } from '#lib/passes/pass-claims.ts';
import { passVerifierPorts } from '#lib/passes/pass-runtime.ts';
import { verifyPassBatch } from '#lib/passes/pass-verification.ts';

/**
 * POST /v1/passes/verify-batch: up to 100 passes presented at one checkpoint (a bus or ferry
 * boarding queue). One result per pass, in order, each with its own receipt; 101 passes is a 400.
 */
export const handler = signedRoute(
  {
    roles: PASS_VERIFIER_ROLES,
    request: batchRequestContract,
    response: batchResponseContract,
    // 100 passes of up to 8,192 characters each, plus the checkpoint: above the default 64 KiB.
    maxBodyBytes: PASS_BATCH_MAX * 8_200 + 1_024,
  },
  async ({ caller, body }) => ({
    status: 200,
    body: await verifyPassBatch(
      {
        passes: body.passes,
        checkpoint: body.checkpoint,
        caller: { partnerId: caller.partner.partnerId, roles: caller.partner.roles },
      },
      await passVerifierPorts(),
    ),
  }),
);

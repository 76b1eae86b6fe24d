import { signedRoute } from '#lib/http/signed-route.ts';
import { verifyRequestContract, verifyResponseContract } from '#lib/passes/contracts.ts';
import { PASS_VERIFIER_ROLES } from '#lib/passes/disclosure.ts';
import { passVerifierPorts } from '#lib/passes/pass-runtime.ts';
import { verifyPass } from '#lib/passes/pass-verification.ts';

/**
 * POST /v1/passes/verify: a checkpoint (role verifier or lock-operator) presents one scanned pass.
 * Always 200 for a pass, good or bad: the decision, a reason code when rejected, the claims the
 * caller's role may see when accepted, and a hub-signed receipt.
 */
export const handler = signedRoute(
  { roles: PASS_VERIFIER_ROLES, request: verifyRequestContract, response: verifyResponseContract },
  async ({ caller, body }) => ({
    status: 200,
    body: await verifyPass(
      {
        pass: body.pass,
        checkpoint: body.checkpoint,
        caller: { partnerId: caller.partner.partnerId, roles: caller.partner.roles },
      },
      await passVerifierPorts(),
    ),
  }),
);

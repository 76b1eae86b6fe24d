import {
  IssuerMismatchError,
  type IssuingKeySetRequest,
  type IssuingKeySetResult,
  publishIssuingKeys,
} from '#lib/credentials/issuing-key-set.ts';
import { signedRoute } from '#lib/http/signed-route.ts';
import { registryStore } from '#lib/hub-runtime.ts';
import { compileSchema } from '#lib/validation.ts';
import issuingKeysRequestSchema from '#schemas/issuing-keys-request/v1.json' with { type: 'json' };
import issuingKeysResponseSchema from '#schemas/issuing-keys-response/v1.json' with { type: 'json' };

/**
 * PUT /v1/issuers/{issuerId}/keys: a credential issuer replaces its set of issuing keys (the keys
 * its passes and licences are signed with, not its API keys). Only the issuer itself may; the
 * rules that keep issued credentials verifiable are in `issuing-key-set.ts`.
 */
export const handler = signedRoute(
  {
    roles: ['credential-issuer'],
    request: compileSchema<IssuingKeySetRequest>(issuingKeysRequestSchema),
    response: compileSchema<IssuingKeySetResult>(issuingKeysResponseSchema),
  },
  async ({ caller, body, event }) => {
    const issuerId = event.pathParameters?.issuerId ?? '';
    if (issuerId !== caller.partner.partnerId) {
      throw new IssuerMismatchError(
        `partner ${caller.partner.partnerId} may publish only its own issuing keys, not those of "${issuerId.slice(0, 60)}"`,
      );
    }
    return { status: 200, body: await publishIssuingKeys(registryStore(), issuerId, body, new Date()) };
  },
);

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { VerifiedCaller } from '#lib/signing/request-verifier.ts';

/** The verified caller of each in-flight event, so the response signer can cite the request's nonce. */
export const verifiedCallers = new WeakMap<APIGatewayProxyEventV2, VerifiedCaller>();

import { randomBytes } from 'node:crypto';
import { REQUEST_TYP, SIGNATURE_HEADER } from '#lib/signing/protocol.ts';
import { type Signer, signDetached } from '#lib/signing/signer.ts';

export interface RequestToSign {
  /** Signer's partner id (`delta-hub` for the hub's own calls). */
  iss: string;
  method: string;
  /** Path and query exactly as they will be sent. */
  pathAndQuery: string;
  body?: Uint8Array | string;
  now?: Date;
  nonce?: string;
}

/**
 * Produces the `x-jws-signature` header for one request (docs/protocol.md, "Signing a request").
 *
 * @example
 * const headers = await signRequest(signer, { iss: 'sh-jtw', method: 'POST', pathAndQuery: '/v1/echo', body });
 * await fetch(`${hub}/v1/echo`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
 */
export async function signRequest(signer: Signer, request: RequestToSign): Promise<Record<string, string>> {
  const body =
    typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : (request.body ?? new Uint8Array());
  const header = {
    typ: REQUEST_TYP,
    iss: request.iss,
    htm: request.method.toUpperCase(),
    htu: request.pathAndQuery,
    iat: Math.floor((request.now ?? new Date()).getTime() / 1000),
    jti: request.nonce ?? randomBytes(16).toString('base64url'),
  };
  return { [SIGNATURE_HEADER]: await signDetached(signer, header, body) };
}

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { JSONWebKeySet, JWK } from 'jose';
import { demoPrivateJwk } from '#infra/local/demo-partners.ts';
import { HubSignatureError, verifyHubSignature } from '#lib/signing/hub-signature.ts';
import { localKeySigner } from '#lib/signing/local-key-signer.ts';
import { SIGNATURE_HEADER } from '#lib/signing/protocol.ts';
import { signRequest } from '#lib/signing/request-signer.ts';

/**
 * A signed call to a hub, as a partner makes it, with the answer's signature checked:
 *
 *   npm run call -- --as sh-jtw POST /v1/echo '{"message":"hi"}'
 *   npm run call -- --as my-partner --key my-key.private.jwk.json --hub https://hub.example GET /v1/…
 *
 * Without --key it signs with the demo partner's published test key (infra/local/demo-keys).
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    as: { type: 'string' },
    key: { type: 'string' },
    hub: { type: 'string', default: process.env.HUB_URL ?? 'http://127.0.0.1:3000' },
  },
});
const [method = 'GET', pathAndQuery = '/', body = ''] = positionals;
if (!values.as) {
  console.error('call: --as <partner id> is required');
  process.exit(2);
}
const jwk: JWK = values.key
  ? (JSON.parse(readFileSync(values.key, 'utf8')) as JWK)
  : demoPrivateJwk(values.as);
const signer = await localKeySigner(jwk);
const headers = await signRequest(signer, { iss: values.as, method, pathAndQuery, body });
const response = await fetch(`${values.hub}${pathAndQuery}`, {
  method,
  headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
  ...(body ? { body } : {}),
});
const bytes = new Uint8Array(await response.arrayBuffer());
console.log(`HTTP ${response.status} ${response.headers.get('content-type') ?? ''}`);
console.log(Buffer.from(bytes).toString('utf8'));
try {
  const jwks = (await (await fetch(`${values.hub}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
  const header = await verifyHubSignature(jwks, response.headers.get(SIGNATURE_HEADER), bytes);
  const bound =
    header.irt === undefined ||
    header.irt ===
      JSON.parse(Buffer.from(headers[SIGNATURE_HEADER]?.split('.')[0] ?? '', 'base64url').toString()).jti;
  console.log(
    `hub signature: valid (kid ${String(header.kid)}, sts ${String(header.sts)}, ${bound ? 'answers this request' : 'irt MISMATCH'})`,
  );
} catch (error) {
  console.log(
    `hub signature: INVALID (${error instanceof HubSignatureError ? error.message : String(error)})`,
  );
  process.exitCode = 1;
}

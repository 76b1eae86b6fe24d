#!/usr/bin/env node
/**
 * Generates the worked examples of docs/protocol.md §14 ("Worked example") into
 * worked-example.json, step by step, with nothing but node:crypto: a reference for anyone
 * re-implementing the client side in another language.
 *
 *   node docs/examples/worked-example.mjs
 *
 * The EdDSA example is deterministic (Ed25519 signatures are), so re-running reproduces it byte
 * for byte. ES256 signatures are randomized: the script keeps the ES256 signature already in
 * worked-example.json as long as it still verifies over the same signing input, so re-running does
 * not churn the document; delete the file to mint a new one (and update docs/protocol.md).
 * test/e2e/independent-signer.test.ts checks that the document quotes these values and that the hub
 * verifies both signatures.
 *
 * The keys are the PUBLISHED TEST KEYS of the local demo partners. Never use them anywhere else.
 */
import { Buffer } from 'node:buffer';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const OUTPUT = new URL('./worked-example.json', import.meta.url);
const demoKey = (partnerId) =>
  JSON.parse(
    readFileSync(
      new URL(`../../infra/local/demo-keys/${partnerId}.private.jwk.json`, import.meta.url),
      'utf8',
    ),
  );

/** 2026-01-01T00:00:00Z: long past, so these exact headers are refused as `iat-outside-window`. */
const IAT = 1767225600;
const BODY = '{"message":"你好, Delta Hub"}';

const examples = [
  {
    name: 'es256',
    partnerId: 'sh-jtw',
    method: 'POST',
    pathAndQuery: '/v1/echo',
    jti: 'AAECAwQFBgcICQoLDA0ODw', // bytes 0x00..0x0f, base64url: a fixed stand-in for 16 random bytes
  },
  {
    name: 'eddsa',
    partnerId: 'js-jtt',
    method: 'POST',
    pathAndQuery: '/v1/echo?trace=worked-example', // the query is part of htu
    jti: 'EBESExQVFhcYGRobHB0eHw', // bytes 0x10..0x1f
  },
];

const previous = existsSync(OUTPUT) ? JSON.parse(readFileSync(OUTPUT, 'utf8')) : {};
const result = {};

for (const example of examples) {
  const privateJwk = demoKey(example.partnerId);
  const alg = privateJwk.kty === 'EC' ? 'ES256' : 'EdDSA';
  const privateKey = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);

  // Step 1: the protected header, serialized as compact JSON, UTF-8.
  const protectedHeader = JSON.stringify({
    alg,
    kid: privateJwk.kid,
    typ: 'delta-hub-request+jws',
    iss: example.partnerId,
    htm: example.method,
    htu: example.pathAndQuery,
    iat: IAT,
    jti: example.jti,
  });
  // Step 2: base64url (no padding) of the header bytes and of the exact body bytes.
  const bodyBytes = Buffer.from(BODY, 'utf8');
  const protectedB64 = Buffer.from(protectedHeader, 'utf8').toString('base64url');
  const payloadB64 = bodyBytes.toString('base64url');
  // Step 3: the signing input, ASCII.
  const signingInput = `${protectedB64}.${payloadB64}`;
  const inputBytes = Buffer.from(signingInput, 'ascii');
  // Step 4: the signature. ES256: SHA-256 + ECDSA P-256, raw r||s; EdDSA: Ed25519 over the input.
  const check = (signatureB64) =>
    alg === 'ES256'
      ? verify(
          'sha256',
          inputBytes,
          { key: publicKey, dsaEncoding: 'ieee-p1363' },
          Buffer.from(signatureB64, 'base64url'),
        )
      : verify(null, inputBytes, publicKey, Buffer.from(signatureB64, 'base64url'));
  const kept = previous[example.name];
  const signatureB64 =
    alg === 'ES256' && kept?.signingInput === signingInput && check(kept.signatureB64)
      ? kept.signatureB64
      : (alg === 'ES256'
          ? sign('sha256', inputBytes, { key: privateKey, dsaEncoding: 'ieee-p1363' })
          : sign(null, inputBytes, privateKey)
        ).toString('base64url');
  if (!check(signatureB64)) throw new Error(`${example.name}: the signature does not verify`);
  // Step 5: the header value, payload part left empty (detached).
  const headerValue = `${protectedB64}..${signatureB64}`;

  result[example.name] = {
    partnerId: example.partnerId,
    keyFile: `infra/local/demo-keys/${example.partnerId}.private.jwk.json`,
    method: example.method,
    pathAndQuery: example.pathAndQuery,
    body: BODY,
    bodyByteLength: bodyBytes.length,
    protectedHeader,
    protectedB64,
    payloadB64,
    signingInput,
    signatureB64,
    signatureByteLength: Buffer.from(signatureB64, 'base64url').length,
    headerValue,
  };
}

writeFileSync(OUTPUT, `${JSON.stringify(result, null, 2)}\n`);
for (const [name, example] of Object.entries(result)) {
  console.log(`${name}: ${example.method} ${example.pathAndQuery} as ${example.partnerId}`);
  console.log(`  x-jws-signature: ${example.headerValue}`);
}

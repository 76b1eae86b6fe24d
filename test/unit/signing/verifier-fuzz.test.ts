import fc from 'fast-check';
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, SignatureError } from '#lib/errors.ts';
import { DetachedJwsFormatError, parseDetachedJws } from '#lib/signing/detached-jws.ts';
import { SIGNATURE_HEADER } from '#lib/signing/protocol.ts';
import { signRequest } from '#lib/signing/request-signer.ts';
import { RequestVerifier } from '#lib/signing/request-verifier.ts';
import { MemoryDirectory, MemoryReplayGuard, partnerWithKey } from './fixtures.ts';

/**
 * Trust-boundary fuzzing (ARCHITECTURE.md §10): whatever arrives in the signature header or body,
 * the verifier ends in a SignatureError/ForbiddenError (a 4xx problem), never another exception.
 */
const NOW = new Date('2026-12-03T08:00:00Z');

async function setup() {
  const directory = new MemoryDirectory();
  const shanghai = await partnerWithKey('sh-jtw');
  directory.partners.set('sh-jtw', shanghai.partner);
  const verifier = new RequestVerifier({ directory, replayGuard: new MemoryReplayGuard(), now: () => NOW });
  return { verifier, shanghai };
}

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted' as const,
    (error: unknown) => error,
  );

describe('signature header parser', () => {
  it('throws only DetachedJwsFormatError on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (value) => {
        try {
          parseDetachedJws(value);
        } catch (error) {
          expect(error).toBeInstanceOf(DetachedJwsFormatError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('throws only DetachedJwsFormatError on base64url-shaped garbage', () => {
    const b64 = fc.stringMatching(/^[A-Za-z0-9_-]{0,80}$/);
    fc.assert(
      fc.property(b64, b64, b64, (a, b, c) => {
        try {
          parseDetachedJws(`${a}.${b}.${c}`);
        } catch (error) {
          expect(error).toBeInstanceOf(DetachedJwsFormatError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('request verifier', () => {
  it('rejects random protected headers with a 4xx error, never a crash', async () => {
    const { verifier } = await setup();
    const headerValue = fc.dictionary(
      fc.constantFrom('alg', 'kid', 'typ', 'iss', 'htm', 'htu', 'iat', 'jti', 'crit', 'b64', 'x'),
      fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.string(), { maxLength: 3 }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(headerValue, fc.uint8Array({ maxLength: 64 }), async (header, signature) => {
        const value = `${base64url.encode(JSON.stringify(header))}..${base64url.encode(signature)}`;
        const result = await outcome(
          verifier.verify({
            method: 'POST',
            pathAndQuery: '/v1/echo',
            body: new Uint8Array(),
            signature: value,
          }),
        );
        expect(result instanceof SignatureError || result instanceof ForbiddenError).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects every single-character mutation of a valid signature header', async () => {
    const { verifier, shanghai } = await setup();
    const body = '{"message":"hi"}';
    const valid = (
      await signRequest(shanghai.signer, {
        iss: 'sh-jtw',
        method: 'POST',
        pathAndQuery: '/v1/echo',
        body,
        now: NOW,
      })
    )[SIGNATURE_HEADER] as string;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: valid.length - 1 }),
        fc.constantFrom(...'AZaz09-_.='),
        async (at, char) => {
          fc.pre(valid[at] !== char);
          const mutated = `${valid.slice(0, at)}${char}${valid.slice(at + 1)}`;
          const result = await outcome(
            verifier.verify({
              method: 'POST',
              pathAndQuery: '/v1/echo',
              body: Buffer.from(body),
              signature: mutated,
            }),
          );
          // A mutation may still decode to the same header/signature bytes (base64url's unused
          // trailing bits); then it is the same valid signature, and only a first use passes.
          if (result !== 'accepted')
            expect(result instanceof SignatureError || result instanceof ForbiddenError).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('rejects any body other than the signed one', async () => {
    const { verifier, shanghai } = await setup();
    const signedBody = '{"message":"hi"}';
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (body) => {
        fc.pre(Buffer.from(body).toString() !== signedBody);
        const header = (
          await signRequest(shanghai.signer, {
            iss: 'sh-jtw',
            method: 'POST',
            pathAndQuery: '/v1/echo',
            body: signedBody,
            now: NOW,
          })
        )[SIGNATURE_HEADER];
        const result = await outcome(
          verifier.verify({ method: 'POST', pathAndQuery: '/v1/echo', body, signature: header }),
        );
        expect(result).toBeInstanceOf(SignatureError);
        expect((result as SignatureError).code).toBe('signature-invalid');
      }),
      { numRuns: 100 },
    );
  });
});

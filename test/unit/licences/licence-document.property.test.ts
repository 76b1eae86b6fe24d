import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyResponseContract } from '#lib/licences/licence-contracts.ts';
import { type CheckedDocument, LicenceDocumentChecker } from '#lib/licences/licence-document.ts';
import type { LicencePayload } from '#lib/licences/licence-types.ts';
import { verifyLicence } from '#lib/licences/verify-licence.ts';
import { localKeySigner } from '#lib/signing/local-key-signer.ts';
import verifyResponseSchema from '#schemas/licence-verify-response/v1.json' with { type: 'json' };
import { allLicenceFixtures } from '../../fixtures/licences/index.ts';
import { generatePrivateJwk } from '../signing/fixtures.ts';
import { addIssuer, MemoryDirectory, type TestIssuer } from './licence-test-kit.ts';
import { MemoryLicenceStore } from './memory-licence-store.ts';

/**
 * The licence document is the untrusted input of every licence route: whatever arrives, the
 * checker answers with a result (a stable reason), never a throw.
 */
const NOW = new Date('2026-12-03T08:00:00Z');
/** The document reasons: the schema's reason enum without those that come from the licence's state. */
const REASONS = new Set(
  verifyResponseSchema.$defs.reason.enum.filter(
    (reason) =>
      !['not-published', 'superseded', 'revoked', 'suspended', 'expired', 'not-yet-valid'].includes(reason),
  ),
);

let checker: LicenceDocumentChecker;
let issuers: Record<string, TestIssuer>;
let valid: { document: string; payload: LicencePayload }[];

beforeAll(async () => {
  const directory = new MemoryDirectory();
  issuers = {
    'sh-jtw': await addIssuer(directory, 'sh-jtw', 'ES256'),
    'js-jtt': await addIssuer(directory, 'js-jtt', 'EdDSA'),
    'zj-jtt': await addIssuer(directory, 'zj-jtt', 'ES256'),
    'ah-jtt': await addIssuer(directory, 'ah-jtt', 'SM2SM3'),
  };
  checker = new LicenceDocumentChecker(directory);
  valid = await Promise.all(
    allLicenceFixtures.map(async ({ payload }) => ({
      payload,
      document: await (issuers[payload.issuer.partnerId] as TestIssuer).sign(payload),
    })),
  );
});

async function settle(document: unknown): Promise<CheckedDocument> {
  const result = await checker.check(document, NOW);
  if (!result.ok) expect(REASONS.has(result.reason), `unexpected reason ${result.reason}`).toBe(true);
  return result;
}

const BASE64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];

describe('LicenceDocumentChecker (property)', () => {
  it('accepts every fixture signed by its issuer (the baseline the mutations start from)', async () => {
    for (const { document } of valid) expect((await settle(document)).ok).toBe(true);
  });

  it('answers any value or string with a rejection, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc.stringMatching(/^[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,200}\.[A-Za-z0-9_-]{0,90}$/),
          fc.anything(),
        ),
        async (input) => {
          expect((await settle(input)).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never accepts a mutated document unless its content is unchanged', async () => {
    const mutation = fc.record({
      which: fc.nat(),
      at: fc.nat(),
      kind: fc.constantFrom('replace', 'delete', 'insert', 'truncate', 'swap-segments', 'duplicate-dot'),
      char: fc.constantFrom(...BASE64URL, '.', '=', '+', '/', ' ', '中'),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ which, at, kind, char }) => {
        const original = valid[which % valid.length] as { document: string; payload: LicencePayload };
        const doc = original.document;
        const i = at % doc.length;
        const [h, p, s] = doc.split('.') as [string, string, string];
        const mutated =
          kind === 'replace'
            ? doc.slice(0, i) + char + doc.slice(i + 1)
            : kind === 'delete'
              ? doc.slice(0, i) + doc.slice(i + 1)
              : kind === 'insert'
                ? doc.slice(0, i) + char + doc.slice(i)
                : kind === 'truncate'
                  ? doc.slice(0, i)
                  : kind === 'swap-segments'
                    ? `${p}.${h}.${s}`
                    : doc.replace('.', '..');
        const result = await settle(mutated);
        if (result.ok) expect(result.licence).toEqual(original.payload);
      }),
      { numRuns: 400 },
    );
  });

  it('answers any signed payload with acceptance or schema-invalid, never a throw', async () => {
    const field = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.string({ maxLength: 80 }),
      fc.integer(),
      fc.constant(undefined),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.constantFrom(
          'licenceType',
          'licenceNo',
          'holder',
          'validFrom',
          'validTo',
          'version',
          'fields',
          'issuer',
        ),
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        field,
        async (which, key, subKey, value) => {
          const { payload } = valid[which % valid.length] as { payload: LicencePayload };
          const changed = structuredClone(payload) as unknown as Record<string, unknown>;
          const target = changed[key];
          if (
            subKey !== undefined &&
            typeof target === 'object' &&
            target !== null &&
            !Array.isArray(target)
          ) {
            (target as Record<string, unknown>)[subKey] = value;
          } else {
            changed[key] = value;
          }
          if (key === 'issuer')
            changed.issuer = { ...(payload.issuer as object), ...(changed.issuer as object) };
          const issuer = issuers[payload.issuer.partnerId] as TestIssuer;
          const result = await settle(await issuer.sign(changed));
          if (!result.ok && result.reason !== 'schema-invalid') {
            // Only the issuer reference can send a validly signed payload elsewhere.
            expect(key).toBe('issuer');
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('makes verifyLicence answer any document within its response contract', async () => {
    const hub = await localKeySigner(generatePrivateJwk('ES256', 'hub-test'));
    const store = new MemoryLicenceStore();
    const longText = fc.integer({ min: 900, max: 3000 }).map((n) => 'k'.repeat(n));
    const junkDocument = fc
      .record({
        kid: fc.oneof(fc.string({ maxLength: 20 }), longText),
        issuer: fc.oneof(fc.constantFrom('sh-jtw', 'ah-jtt'), fc.string(), longText),
      })
      .map(({ kid, issuer }) =>
        [
          Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'delta-licence+jws', kid })).toString('base64url'),
          Buffer.from(JSON.stringify({ issuer: { partnerId: issuer }, licenceNo: kid })).toString(
            'base64url',
          ),
          'AAAA',
        ].join('.'),
      );
    await fc.assert(
      fc.asyncProperty(fc.oneof(junkDocument, fc.string({ maxLength: 300 })), async (document) => {
        const answer = await verifyLicence(
          { caller: { partnerId: 'zj-checkpoint-jiaxing', roles: ['verifier'] }, document },
          { checker, store, signer: async () => hub, now: () => NOW },
        );
        expect(verifyResponseContract.check(answer)).toEqual([]);
        expect(answer.decision).toBe('rejected');
      }),
      { numRuns: 100 },
    );
  });
});

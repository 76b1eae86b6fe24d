import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { CompactSign, importJWK, type JWK } from 'jose';
import {
  emptyStatusLists,
  type IssuerStatusLists,
  type StatusListReader,
} from '#lib/credentials/status-list-store.ts';
import { generateSm2KeyPair, importSm2PrivateJwk, signCompactSm2 } from '#lib/crypto/sm2-jws.ts';
import { PASS_TYP, type PassClaims } from '#lib/passes/pass-claims.ts';

/** Test issuing keys and passes for the pass verifier's unit and e2e tests. */
export type PassAlgorithm = 'ES256' | 'EdDSA' | 'SM2SM3';

export interface TestIssuingKey {
  alg: PassAlgorithm;
  kid: string;
  /** Private JWK (EC P-256, OKP Ed25519 or EC SM2). */
  privateJwk: JWK;
  /** Public part, as registered with `toIssuingKey`. */
  publicJwk: JWK;
}

export function generateIssuingKey(alg: PassAlgorithm, kid: string): TestIssuingKey {
  if (alg === 'SM2SM3') {
    const { publicJwk, privateJwk } = generateSm2KeyPair();
    return { alg, kid, privateJwk: { ...privateJwk, kid }, publicJwk: { ...publicJwk, kid } };
  }
  const { privateKey } =
    alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid };
  const { d: _d, ...publicJwk } = privateJwk;
  return { alg, kid, privateJwk, publicJwk };
}

/** Signs `payload` (any JSON value) as a compact JWS with the pass header, unless `header` overrides it. */
export async function signPass(
  key: TestIssuingKey,
  payload: unknown,
  header: Record<string, unknown> = {},
): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(payload));
  const protectedHeader = { typ: PASS_TYP, kid: key.kid, ...header };
  if (key.alg === 'SM2SM3')
    return signCompactSm2(bytes, protectedHeader, importSm2PrivateJwk(key.privateJwk));
  return new CompactSign(bytes)
    .setProtectedHeader({ alg: key.alg, ...protectedHeader })
    .sign(await importJWK(key.privateJwk, key.alg));
}

/** A valid person pass of `iss`, valid for an hour from `at` (epoch seconds). */
export function passClaims(iss: string, at: number, overrides: Partial<PassClaims> = {}): PassClaims {
  return {
    iss,
    sub: randomBytes(18).toString('base64url'),
    jti: randomBytes(16).toString('base64url'),
    iat: at,
    nbf: at,
    exp: at + 3_600,
    passType: 'person',
    scope: ['ferry', 'bus', 'service-hall'],
    holder: { name: '张*明', idLast4: '123X' },
    status: { idx: 4_242 },
    ...overrides,
  };
}

/** In-memory status lists that count reads. */
export class MemoryStatusLists implements StatusListReader {
  readonly lists = new Map<string, IssuerStatusLists>();
  reads = 0;

  async get(issuerId: string): Promise<IssuerStatusLists> {
    this.reads++;
    return this.of(issuerId);
  }

  of(issuerId: string): IssuerStatusLists {
    let lists = this.lists.get(issuerId);
    if (!lists) {
      lists = emptyStatusLists(issuerId);
      // In these tests every index counts as handed out, unless a test clears one.
      for (let index = 0; index < lists.allocated.length; index++) lists.allocated.set(index, true);
      this.lists.set(issuerId, lists);
    }
    return lists;
  }
}

import { CompactSign, importJWK, type JWK } from 'jose';
import { type CredentialAlgorithm, issuingAlgorithmFor } from '#lib/credentials/issuing-keys.ts';
import { importSm2PrivateJwk, SM2_JWS_ALG, signCompactSm2 } from '#lib/crypto/sm2-jws.ts';

/**
 * Signs credentials (passes, licence documents) as an issuer does: a compact JWS over a JSON
 * payload with a private issuing JWK of any of the three credential algorithms: ES256 (EC P-256),
 * EdDSA (Ed25519) or SM2SM3 (EC SM2, GB/T 32918, through `sm2-jws.ts` since jose has no SM2).
 * For partners' tools, the demo partners (infra/local/demo-partners.ts) and tests; the hub itself
 * never holds an issuer's private key.
 *
 * @example
 * const sign = await credentialSigner(privateJwk);
 * const pass = await sign.sign({ typ: 'delta-pass+jwt' }, { iss: 'sh-jtw', sub: '…', exp: 1796300000 });
 */
export interface CredentialSigner {
  readonly kid: string;
  readonly alg: CredentialAlgorithm;
  /** `header` gets `alg` and (unless it names one) `kid` set; `crit` and `b64` are refused. */
  sign(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string>;
}

export class CredentialSignerError extends Error {
  override readonly name = 'CredentialSignerError';
}

/**
 * A signer for `privateJwk`. The kid is `options.kid`, else the JWK's own `kid`; one of them is
 * required so that what is signed names the key the issuer published. SM2 keys sign with the
 * default signer ID `1234567812345678` unless `options.sm2UserId` says otherwise.
 */
export async function credentialSigner(
  privateJwk: JWK,
  options: { kid?: string; sm2UserId?: string } = {},
): Promise<CredentialSigner> {
  if (privateJwk.d === undefined) throw new CredentialSignerError('a private JWK (with "d") is required');
  const kid = options.kid ?? privateJwk.kid;
  if (!kid) throw new CredentialSignerError('give the kid the key was published under');
  const alg = issuingAlgorithmFor(privateJwk);
  const checkHeader = (header: Record<string, unknown>) => {
    if ('crit' in header || 'b64' in header)
      throw new CredentialSignerError('crit and b64 are not supported');
    if (header.alg !== undefined && header.alg !== alg) {
      throw new CredentialSignerError(`this key signs ${alg}, not ${String(header.alg)}`);
    }
  };
  const encode = (payload: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify(payload));

  if (alg === SM2_JWS_ALG) {
    const key = importSm2PrivateJwk(privateJwk);
    return {
      kid,
      alg,
      sign: async (header, payload) => {
        checkHeader(header);
        return signCompactSm2(
          encode(payload),
          { kid, ...header, alg },
          key,
          options.sm2UserId === undefined ? {} : { userId: options.sm2UserId },
        );
      },
    };
  }
  if (options.sm2UserId !== undefined) throw new CredentialSignerError('only SM2 keys take a signer ID');
  const key = await importJWK(privateJwk, alg);
  return {
    kid,
    alg,
    sign: async (header, payload) => {
      checkHeader(header);
      return new CompactSign(encode(payload)).setProtectedHeader({ kid, ...header, alg }).sign(key);
    },
  };
}

/** One-shot form of {@link credentialSigner}. */
export async function signCredential(
  privateJwk: JWK,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  options: { kid?: string; sm2UserId?: string } = {},
): Promise<string> {
  return (await credentialSigner(privateJwk, options)).sign(header, payload);
}

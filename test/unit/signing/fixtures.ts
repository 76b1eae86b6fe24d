import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { Partner } from '#lib/registry/partner.ts';
import { toPartnerKey } from '#lib/registry/partner-keys.ts';
import type { PartnerDirectory } from '#lib/registry/registry-store.ts';
import type { ReplayGuard } from '#lib/replay/nonce-store.ts';
import { localKeySigner } from '#lib/signing/local-key-signer.ts';
import type { Signer } from '#lib/signing/signer.ts';

/** Fresh key pairs and an in-memory registry for unit tests of the signing core. */
export function generatePrivateJwk(kind: 'ES256' | 'EdDSA', kid: string): JWK {
  const { privateKey } =
    kind === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid };
}

export const publicPart = ({ d: _d, ...rest }: JWK): JWK => rest;

export class MemoryDirectory implements PartnerDirectory {
  readonly partners = new Map<string, Partner>();
  reads = 0;
  async get(partnerId: string): Promise<Partner | undefined> {
    this.reads++;
    return this.partners.get(partnerId);
  }
}

export class MemoryReplayGuard implements ReplayGuard {
  readonly seen = new Map<string, number>();
  async claim(partnerId: string, nonce: string, expiresAt: number, now: number): Promise<boolean> {
    const key = `${partnerId}#${nonce}`;
    const previous = this.seen.get(key);
    if (previous !== undefined && previous >= now) return false;
    this.seen.set(key, expiresAt);
    return true;
  }
}

export interface PartnerWithSigner {
  partner: Partner;
  signer: Signer;
  privateJwk: JWK;
}

export async function partnerWithKey(
  partnerId: string,
  kind: 'ES256' | 'EdDSA' = 'ES256',
  window: { notBefore: string; notAfter?: string } = { notBefore: '2026-01-01T00:00:00Z' },
): Promise<PartnerWithSigner> {
  const privateJwk = generatePrivateJwk(kind, `${partnerId}-${randomBytes(3).toString('hex')}`);
  const key = await toPartnerKey(publicPart(privateJwk), window);
  return {
    privateJwk,
    signer: await localKeySigner(privateJwk),
    partner: {
      partnerId,
      name: partnerId,
      roles: ['province'],
      status: 'active',
      apiKeys: [key],
      version: 1,
      updatedAt: '2026-01-01T00:00:00Z',
    },
  };
}

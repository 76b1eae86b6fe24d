import { signCompact } from '#lib/signing/compact.ts';
import type { Signer } from '#lib/signing/signer.ts';

/**
 * The hub-signed receipt of a licence verification: a compact JWS (`typ: delta-hub-receipt+jwt`,
 * a hub key from /.well-known/jwks.json) over the decision, the document's hash, the verifier and
 * the time (schemas/licence-receipt/v1.json). The verifier keeps it as evidence that it checked
 * this exact document through the hub, and what the hub said.
 */
export const RECEIPT_TYP = 'delta-hub-receipt+jwt';

export interface LicenceReceiptClaims {
  iss: 'delta-hub';
  iat: number;
  jti: string;
  decision: 'recognised' | 'rejected';
  reason?: string;
  credentialHash: string;
  credentialType: 'licence';
  issuer?: string;
  eventId?: string;
  verifier: string;
  purpose?: string;
  verifiedAt: string;
}

export function signLicenceReceipt(signer: Signer, claims: LicenceReceiptClaims): Promise<string> {
  return signCompact(signer, { typ: RECEIPT_TYP }, { ...claims });
}

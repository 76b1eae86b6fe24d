import type { DisclosedPassClaims } from '#lib/passes/disclosure.ts';
import type { Checkpoint, PassClaims } from '#lib/passes/pass-claims.ts';
import { compileSchema } from '#lib/validation.ts';
import passSchema from '#schemas/pass/v1.json' with { type: 'json' };
import receiptSchema from '#schemas/pass-receipt/v1.json' with { type: 'json' };
import batchRequestSchema from '#schemas/pass-verify-batch-request/v1.json' with { type: 'json' };
import batchResponseSchema from '#schemas/pass-verify-batch-response/v1.json' with { type: 'json' };
import verifyRequestSchema from '#schemas/pass-verify-request/v1.json' with { type: 'json' };
import verifyResponseSchema from '#schemas/pass-verify-response/v1.json' with { type: 'json' };
import allocationRequestSchema from '#schemas/status-allocation-request/v1.json' with { type: 'json' };
import allocationResponseSchema from '#schemas/status-allocation-response/v1.json' with { type: 'json' };
import entryRequestSchema from '#schemas/status-entry-request/v1.json' with { type: 'json' };
import entryResponseSchema from '#schemas/status-entry-response/v1.json' with { type: 'json' };

/**
 * The pass and status-list contracts, compiled once per cold start. They `$ref` one another by
 * `$id`, so they are compiled here in dependency order (a schema must be known to Ajv before one
 * that refers to it); a missing reference fails the cold start, not a request.
 */
export const passClaimsContract = compileSchema<PassClaims>(passSchema);
export const verifyRequestContract = compileSchema<PassVerifyRequest>(verifyRequestSchema);
export const verifyResponseContract = compileSchema<PassVerificationResult>(verifyResponseSchema);
export const batchRequestContract = compileSchema<PassVerifyBatchRequest>(batchRequestSchema);
export const batchResponseContract = compileSchema<PassVerifyBatchResponse>(batchResponseSchema);
export const receiptContract = compileSchema<PassReceipt>(receiptSchema);
export const allocationRequestContract = compileSchema<StatusAllocationRequest>(allocationRequestSchema);
export const allocationResponseContract = compileSchema<StatusAllocationResponse>(allocationResponseSchema);
export const entryRequestContract = compileSchema<StatusEntryRequest>(entryRequestSchema);
export const entryResponseContract = compileSchema<StatusEntryResponse>(entryResponseSchema);

/** Stable reasons a pass is rejected, in the order the checks run. */
export const PASS_REJECTION_REASONS = [
  'malformed',
  'algorithm-rejected',
  'issuer-unknown',
  'issuer-not-authorised',
  'issuer-suspended',
  'key-unknown',
  'key-not-yet-valid',
  'key-expired',
  'signature-invalid',
  'claims-invalid',
  'lifetime-too-long',
  'expired',
  'not-yet-valid',
  'scope-mismatch',
  'status-invalid',
  'revoked',
  'suspended',
] as const;
export type PassRejectionReason = (typeof PASS_REJECTION_REASONS)[number];

export interface PassVerifyRequest {
  pass: string;
  checkpoint: Checkpoint;
}

export interface PassVerifyBatchRequest {
  checkpoint: Checkpoint;
  passes: string[];
}

export interface PassVerificationResult {
  decision: 'accepted' | 'rejected';
  reason?: PassRejectionReason;
  detail?: string;
  claims?: DisclosedPassClaims;
  /** Hub-signed compact JWS over {@link PassReceipt}. */
  receipt: string;
}

export interface PassVerifyBatchResponse {
  results: PassVerificationResult[];
}

/** Payload of a verification receipt (schemas/pass-receipt/v1.json). */
export interface PassReceipt {
  iss: 'delta-hub';
  iat: number;
  jti: string;
  decision: 'accepted' | 'rejected';
  reason?: PassRejectionReason;
  credentialHash: string;
  credentialType: 'pass';
  issuer?: string;
  verifier: string;
  checkpoint: Checkpoint;
  verifiedAt: string;
}

export interface StatusAllocationRequest {
  count: number;
}

export interface StatusAllocationResponse {
  issuerId: string;
  indices: number[];
}

export interface StatusEntryRequest {
  index: number;
  purpose: 'revocation' | 'suspension';
  value: boolean;
  reason: string;
}

export interface StatusEntryResponse {
  issuerId: string;
  index: number;
  purpose: 'revocation' | 'suspension';
  value: boolean;
  changed: boolean;
}

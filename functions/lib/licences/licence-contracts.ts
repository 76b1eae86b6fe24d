import type { LicenceView } from '#lib/licences/disclosure.ts';
import type { LicenceReceiptClaims } from '#lib/licences/licence-receipt.ts';
import type { StatusAction } from '#lib/licences/licence-state.ts';
import type { LicenceStatusAnswer, StatusChangeAnswer } from '#lib/licences/licence-status.ts';
import type { RecognitionEvent } from '#lib/licences/licence-store.ts';
import type { PublishLicenceAnswer } from '#lib/licences/publish-licence.ts';
import type { VerifyLicenceAnswer } from '#lib/licences/verify-licence.ts';
import { compileSchema } from '#lib/validation.ts';
import pathSchema from '#schemas/licence-path/v1.json' with { type: 'json' };
import publishRequestSchema from '#schemas/licence-publish-request/v1.json' with { type: 'json' };
import publishResponseSchema from '#schemas/licence-publish-response/v1.json' with { type: 'json' };
import receiptSchema from '#schemas/licence-receipt/v1.json' with { type: 'json' };
import recognitionsQuerySchema from '#schemas/licence-recognitions-query/v1.json' with { type: 'json' };
import recognitionsResponseSchema from '#schemas/licence-recognitions-response/v1.json' with { type: 'json' };
import statusChangeRequestSchema from '#schemas/licence-status-change-request/v1.json' with { type: 'json' };
import statusChangeResponseSchema from '#schemas/licence-status-change-response/v1.json' with {
  type: 'json',
};
import statusQuerySchema from '#schemas/licence-status-query/v1.json' with { type: 'json' };
import statusResponseSchema from '#schemas/licence-status-response/v1.json' with { type: 'json' };
import verifyRequestSchema from '#schemas/licence-verify-request/v1.json' with { type: 'json' };
import verifyResponseSchema from '#schemas/licence-verify-response/v1.json' with { type: 'json' };
import viewSchema from '#schemas/licence-view/v1.json' with { type: 'json' };
import statusListSchema from '#schemas/status-list/v1.json' with { type: 'json' };
import statusListPathSchema from '#schemas/status-list-path/v1.json' with { type: 'json' };
import statusListResponseSchema from '#schemas/status-list-response/v1.json' with { type: 'json' };

/**
 * The compiled contracts of the licence and status-list routes, once per cold start. Order
 * matters: a schema is compiled after the ones it `$ref`s by `$id` (the shared Ajv instance
 * resolves references from the schemas it already holds).
 */
export const licenceViewContract = compileSchema<LicenceView>(viewSchema);
export const verifyResponseContract = compileSchema<VerifyLicenceAnswer>(verifyResponseSchema);
export const receiptContract = compileSchema<LicenceReceiptClaims>(receiptSchema);

export const licencePathContract = compileSchema<{ issuer: string; number?: string }>(pathSchema);
export const publishRequestContract = compileSchema<{ document: string }>(publishRequestSchema);
export const publishResponseContract = compileSchema<PublishLicenceAnswer>(publishResponseSchema);
export const verifyRequestContract = compileSchema<{ document: string; purpose?: string }>(
  verifyRequestSchema,
);
export const statusChangeRequestContract = compileSchema<{
  action: StatusAction;
  reason: string;
  validTo?: string;
}>(statusChangeRequestSchema);
export const statusChangeResponseContract = compileSchema<StatusChangeAnswer>(statusChangeResponseSchema);
export const statusQueryContract = compileSchema<{ at?: string }>(statusQuerySchema);
export const statusResponseContract = compileSchema<LicenceStatusAnswer>(statusResponseSchema);
export const recognitionsQueryContract = compileSchema<{
  licenceNo?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}>(recognitionsQuerySchema);
export const recognitionsResponseContract = compileSchema<{
  from: string;
  to: string;
  items: Omit<RecognitionEvent, 'issuerId'>[];
  cursor?: string;
}>(recognitionsResponseSchema);

export const statusListPathContract = compileSchema<{ issuerId: string }>(statusListPathSchema);
export const statusListContract = compileSchema<Record<string, unknown>>(statusListSchema);
export const statusListResponseContract = compileSchema<{
  issuer: string;
  version: number;
  issuedAt: string;
  validUntil: string;
  statusList: string;
}>(statusListResponseSchema);

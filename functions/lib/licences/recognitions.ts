import { type FieldError, ValidationError } from '#lib/errors.ts';
import { LicenceNotIssuerError } from '#lib/licences/licence-errors.ts';
import type { LicenceStore, RecognitionEvent } from '#lib/licences/licence-store.ts';

/**
 * GET /v1/licences/{issuer}/recognitions: the recognition events of an issuer's licences, for
 * that issuer only. Bounded: at most {@link MAX_RANGE_DAYS} days per query (default the last 7)
 * and {@link MAX_LIMIT} events per page, oldest first, continued with the returned cursor.
 */
export const DEFAULT_RANGE_DAYS = 7;
export const MAX_RANGE_DAYS = 31;
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
const DAY_MS = 86_400_000;

export interface RecognitionsInput {
  caller: { partnerId: string };
  issuerId: string;
  licenceNo?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

export async function listRecognitions(
  input: RecognitionsInput,
  ports: { store: LicenceStore; now: () => Date },
): Promise<{ from: string; to: string; items: Omit<RecognitionEvent, 'issuerId'>[]; cursor?: string }> {
  if (input.caller.partnerId !== input.issuerId) {
    throw new LicenceNotIssuerError(
      `only ${input.issuerId} may list the recognition events of its licences; ${input.caller.partnerId} may not`,
    );
  }
  const errors: FieldError[] = [];
  const to = input.to === undefined ? ports.now() : new Date(input.to);
  const from =
    input.from === undefined ? new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS) : new Date(input.from);
  if (Number.isNaN(to.getTime())) errors.push({ pointer: '/to', detail: 'must be an ISO 8601 date-time' });
  if (Number.isNaN(from.getTime()))
    errors.push({ pointer: '/from', detail: 'must be an ISO 8601 date-time' });
  if (errors.length === 0 && !(from.getTime() < to.getTime())) {
    errors.push({ pointer: '/from', detail: 'must be before to' });
  }
  if (errors.length === 0 && to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    errors.push({ pointer: '/from', detail: `from and to may be at most ${MAX_RANGE_DAYS} days apart` });
  }
  const limit = input.limit === undefined ? DEFAULT_LIMIT : Number(input.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    errors.push({ pointer: '/limit', detail: `must be an integer from 1 to ${MAX_LIMIT}` });
  }
  if (errors.length > 0) throw new ValidationError('query parameters are invalid', errors);

  const page = await ports.store.recognitions({
    issuerId: input.issuerId,
    ...(input.licenceNo === undefined ? {} : { licenceNo: input.licenceNo }),
    from,
    to,
    limit,
    ...(input.cursor === undefined ? {} : { cursor: input.cursor }),
  });
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    // The issuer is the path's; each item says what, by whom, when and with what outcome.
    items: page.items.map(({ issuerId: _issuer, ...event }) => event),
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
  };
}

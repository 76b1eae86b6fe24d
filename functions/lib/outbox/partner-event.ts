import { randomUUID } from 'node:crypto';
import { compileSchema } from '#lib/validation.ts';
import partnerEventSchema from '#schemas/partner-event/v1.json' with { type: 'json' };

/** A CloudEvents 1.0 event addressed to one partner (schemas/partner-event/v1.json). */
export interface PartnerEvent {
  specversion: '1.0';
  id: string;
  source: 'delta-hub';
  type: string;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  partnerid: string;
  data: Record<string, unknown>;
}

export const partnerEventContract = compileSchema<PartnerEvent>(partnerEventSchema);

/** Builds an event; `type` is the short name, e.g. `echo.v1` → `cn.yrd.deltahub.echo.v1`. */
export function partnerEvent(
  partnerId: string,
  type: string,
  data: Record<string, unknown>,
  options: { subject?: string; now?: Date; id?: string } = {},
): PartnerEvent {
  return {
    specversion: '1.0',
    id: options.id ?? randomUUID(),
    source: 'delta-hub',
    type: `cn.yrd.deltahub.${type}`,
    ...(options.subject === undefined ? {} : { subject: options.subject }),
    time: (options.now ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    partnerid: partnerId,
    data,
  };
}

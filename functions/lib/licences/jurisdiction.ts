import type { FieldError } from '#lib/errors.ts';
import { divisionCovers, provinceAbbreviation } from '#lib/identifiers/division-code.ts';
import { usccDivisionCode } from '#lib/identifiers/uscc.ts';
import type { LicenceIssuer } from '#lib/licences/licence-types.ts';
import type { Partner } from '#lib/registry/partner.ts';

/**
 * Which partner may vouch for which licence. A licence names its issuing authority (颁发机构) in the
 * payload (`issuer.name`, `issuer.code`, `issuer.divisionCode`), and the hub partner that publishes
 * it (`issuer.partnerId`). The signature only proves that the partner signed; nothing in the
 * payload stops 江苏省交通运输厅 from signing a licence in 上海市交通委员会's name. The trust registry
 * binds each credential issuer to a jurisdiction (`Partner.divisionCode`), and a licence is
 * accepted from a partner only when it is **issued within** that jurisdiction:
 *
 * - the authority's division (`issuer.divisionCode`), and
 * - the division part of the authority's USCC (`issuer.code`, positions 3–8, GB 32100: where a
 *   state organ is registered)
 *
 * both lie within the partner's division ({@link divisionCovers}: `310000` covers `31xxxx`,
 * `320500` covers `3205xx`). A 苏州 (320500) authority is within 江苏省 (320000); 上海 is not.
 *
 * The authority's name is free text and is not checked; what a verifier relies on is who vouches
 * for it, which is why the licence view names the partner as the registry knows it.
 *
 * A partner with no jurisdiction in the registry (registered before it existed) vouches for
 * nothing until an operator sets one (`hub-admin set-division`): failing closed.
 *
 * @module
 */

/**
 * Why the licence's issuing authority is not within `partner`'s jurisdiction, as errors pointing
 * into the licence payload; empty when it is.
 *
 * @example
 * jurisdictionErrors(licence.issuer, partner) // [] for a 沪 licence published by sh-jtw (310000)
 */
export function jurisdictionErrors(
  issuer: Pick<LicenceIssuer, 'code' | 'divisionCode'>,
  partner: Pick<Partner, 'partnerId' | 'divisionCode'>,
): FieldError[] {
  const jurisdiction = partner.divisionCode;
  if (jurisdiction === undefined) {
    return [
      {
        pointer: '/issuer/partnerId',
        detail: `the trust registry holds no jurisdiction for ${partner.partnerId}: its licences are not accepted until an operator sets one`,
      },
    ];
  }
  const errors: FieldError[] = [];
  if (!divisionCovers(jurisdiction, issuer.divisionCode)) {
    errors.push({
      pointer: '/issuer/divisionCode',
      detail: `division ${issuer.divisionCode} is outside the jurisdiction of ${partner.partnerId} (${label(jurisdiction)})`,
    });
  }
  const registered = usccDivisionCode(issuer.code);
  if (!divisionCovers(jurisdiction, registered)) {
    errors.push({
      pointer: '/issuer/code',
      detail: `the issuing authority's USCC is registered in ${registered} (positions 3-8), outside the jurisdiction of ${partner.partnerId} (${label(jurisdiction)})`,
    });
  }
  return errors;
}

/** `320000 苏`: the code with its province's abbreviation, for people reading a detail. */
const label = (divisionCode: string): string => {
  const abbreviation = provinceAbbreviation(divisionCode);
  return abbreviation === undefined ? divisionCode : `${divisionCode} ${abbreviation}`;
};

/**
 * Ship identifiers used on Chinese ship certificates.
 *
 * - 船舶识别号 (ship identification number): `CN` + 11 digits = keel-laying year (4) + number (6) +
 *   check digit (1). The check-digit algorithm is not published anywhere we found, so only the
 *   format is checked and there is no `…CheckCharacter` function to generate one.
 * - MMSI (ITU-R M.585): 9 digits; a ship station's first three digits are its MID. Chinese-flagged
 *   ships use MID 412, 413 or 414 (Hong Kong 477 and Macao 453 register their own ships).
 *
 * @module
 */

const SHIP_IDENTIFICATION_NUMBER = /^CN(?:19|20)\d{9}$/;
const SHIP_STATION_MMSI = /^[2-7]\d{8}$/;

/** Maritime identification digits of ships registered in mainland China. */
export const CHINA_MIDS = ['412', '413', '414'] as const;

/**
 * True when `value` has the 船舶识别号 format: `CN`, a keel year 1900–2099, 7 more digits.
 * Format only: the final digit is a check digit whose algorithm we do not know.
 *
 * @example isValidShipIdentificationNumber('CN20181234567') // true
 */
export function isValidShipIdentificationNumber(value: unknown): boolean {
  return typeof value === 'string' && SHIP_IDENTIFICATION_NUMBER.test(value);
}

/** True when `value` is a 9-digit ship-station MMSI (MID first digit 2–7). */
export function isValidMmsi(value: unknown): boolean {
  return typeof value === 'string' && SHIP_STATION_MMSI.test(value);
}

/** True when `value` is a ship-station MMSI with a mainland-China MID (412, 413, 414). */
export function isChinaMmsi(value: unknown): boolean {
  return isValidMmsi(value) && (CHINA_MIDS as readonly string[]).includes((value as string).slice(0, 3));
}

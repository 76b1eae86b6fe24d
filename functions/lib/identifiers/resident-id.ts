/**
 * 公民身份号码 (resident identity card number), GB 11643-1999: 18 characters.
 *
 * Layout: address code (6, GB/T 2260) · birth date YYYYMMDD · sequence (3; odd = male) · check
 * character, ISO 7064 MOD 11-2 over the first 17 digits. The last character is a digit or an
 * upper-case `X` (value 10); lower-case `x` is not accepted: normalise before validating.
 *
 * @module
 */

/** wᵢ = 2¹⁷⁻ⁱ mod 11 for positions 1–17 (ISO 7064 MOD 11-2). */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const BODY = /^[1-9]\d{16}$/;
const FULL = /^[1-9]\d{16}[\dX]$/;

/**
 * The check character for a 17-digit body: `"10X98765432"[Σ dᵢ·wᵢ mod 11]`.
 *
 * @throws RangeError when `body` is not 17 digits (first digit non-zero).
 * @example residentIdCheckCharacter('11010519491231002') // 'X'
 */
export function residentIdCheckCharacter(body: string): string {
  if (!BODY.test(body)) throw new RangeError('a resident ID body is 17 digits, the first non-zero');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * (WEIGHTS[i] as number);
  return CHECK_CHARS[sum % 11] as string;
}

/**
 * True when positions 7–14 are a real calendar date from 1900-01-01 on. (No upper bound: that would
 * need a clock, and a future birth date is caught by nothing a schema can say either.)
 */
function hasValidBirthDate(value: string): boolean {
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True when `value` is an 18-character resident ID with a valid birth date and check character. */
export function isValidResidentId(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    FULL.test(value) &&
    hasValidBirthDate(value) &&
    residentIdCheckCharacter(value.slice(0, 17)) === value[17]
  );
}

/**
 * 组织机构代码 (organisation code), GB 11714-1997: 8 body characters + 1 check character.
 *
 * Since 2015 the code lives on as positions 9–17 of the 统一社会信用代码 (see `uscc.ts`), where it
 * is called the 主体标识码. Its check is weaker than the USCC's own: the body may hold letters
 * (A–Z = 10–35) but the modulus is 11, so substituting a character by one 11 or 22 away (`0` ↔ `B`,
 * `1` ↔ `M`) goes undetected. Only digit-for-digit substitutions are always caught.
 *
 * @module
 */

const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;
const BODY = /^[0-9A-Z]{8}$/;
const FULL = /^[0-9A-Z]{8}[0-9X]$/;

/** Value of a body character: `0`–`9` → 0–9, `A`–`Z` → 10–35. */
function charValue(char: string): number {
  const code = char.charCodeAt(0);
  return code <= 57 ? code - 48 : code - 55;
}

/**
 * The GB 11714 check character for an 8-character body: c = 11 − (Σ vᵢ·wᵢ mod 11), with 10 → `X`
 * and 11 → `0`.
 *
 * @throws RangeError when `body` is not 8 characters of `0-9A-Z`.
 * @example orgCodeCheckCharacter('71526726') // 'X'
 */
export function orgCodeCheckCharacter(body: string): string {
  if (!BODY.test(body)) throw new RangeError('an organisation code body is 8 characters of 0-9A-Z');
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += charValue(body[i] as string) * (ORG_CODE_WEIGHTS[i] as number);
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/** True when `value` is a 9-character GB 11714 organisation code whose check character verifies. */
export function isValidOrgCode(value: unknown): boolean {
  return (
    typeof value === 'string' && FULL.test(value) && orgCodeCheckCharacter(value.slice(0, 8)) === value[8]
  );
}

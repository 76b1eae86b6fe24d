/**
 * 统一社会信用代码 (unified social credit code, USCC), GB 32100-2015: 18 characters.
 *
 * Layout: [1] registration authority (1 机构编制, 5 民政, 9 市场监管, Y other) · [2] category ·
 * [3–8] GB/T 2260 division code · [9–17] 主体标识码 (a GB 11714 organisation code, with its own
 * check in position 17) · [18] check character.
 *
 * Two checks, kept apart on purpose: {@link isValidUscc} verifies the standard's own check
 * character (position 18) and is what makes a code valid. {@link usccOrgCodeIsValid} verifies the
 * inner GB 11714 check; treat its failure as a warning, not a rejection: the outer check already
 * covers all 17 characters, and we have no source saying every 主体标识码 issued since 2015 also
 * verifies under GB 11714 (every example we hold does).
 *
 * @module
 */
import { isValidOrgCode } from './org-code.ts';

/** The 31 characters of a USCC, in value order (0–30): no I, O, S, V or Z. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const BODY = /^[0-9A-HJ-NPQRTUWXY]{17}$/;
const FULL = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/**
 * The GB 32100 check character for a 17-character body: c₁₈ = charset[(31 − Σ vᵢ·wᵢ mod 31) mod 31].
 *
 * @throws RangeError when `body` is not 17 characters of {@link USCC_CHARSET}.
 * @example usccCheckCharacter('9144030071526726X') // 'G'
 */
export function usccCheckCharacter(body: string): string {
  if (!BODY.test(body))
    throw new RangeError('a USCC body is 17 characters of 0-9 and A-Y without I, O, S, V, Z');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(body[i] as string) * (USCC_WEIGHTS[i] as number);
  return USCC_CHARSET[(31 - (sum % 31)) % 31] as string;
}

/** True when `value` is 18 USCC characters and the GB 32100 check character (position 18) verifies. */
export function isValidUscc(value: unknown): boolean {
  return (
    typeof value === 'string' && FULL.test(value) && usccCheckCharacter(value.slice(0, 17)) === value[17]
  );
}

/**
 * True when positions 9–17 of a USCC form a valid GB 11714 organisation code. Meaningful only for a
 * value that {@link isValidUscc} accepts; report a failure as a warning (see the module comment).
 */
export function usccOrgCodeIsValid(uscc: string): boolean {
  return isValidOrgCode(uscc.slice(8, 17));
}

/**
 * Positions 3–8 of a USCC: the GB/T 2260 division where the entity was registered (for a state
 * organ, the division it serves). Meaningful only for a value that {@link isValidUscc} accepts.
 *
 * @example usccDivisionCode('11310000002435681K') // '310000'
 */
export function usccDivisionCode(uscc: string): string {
  return uscc.slice(2, 8);
}

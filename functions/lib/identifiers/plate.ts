/**
 * Motor-vehicle number plates (GA 36) of the four Yangtze River Delta provinces. Format only: a
 * plate carries no check character.
 *
 * `{province}{authority letter}{number}` where province is 沪, 苏, 浙 or 皖, the authority letter is
 * A–Z without I and O, and the number is one of:
 * - regular: 5 characters of digits and letters (no I, O), e.g. `沪A12345`;
 * - new energy, small vehicle (GA 36-2018): a letter from A–K without I (D/F originally: D/A/B/C/E
 *   all-electric, F/G/H/J/K other), one digit or letter, 4 digits, e.g. `沪AD69287`;
 * - new energy, large vehicle: 5 digits + D or F;
 * - trailer: 4 characters + `挂`, e.g. `苏E1234挂` (semi-trailers carry their own 道路运输证).
 *
 * The canonical form has no separator; {@link normalisePlate} removes the `·` printed on plates.
 *
 * @module
 */

/** Province abbreviations this module accepts, with their GB/T 2260 province code prefix. */
export const PLATE_PROVINCES = { 沪: '31', 苏: '32', 浙: '33', 皖: '34' } as const;

export type PlateKind = 'regular' | 'new-energy' | 'trailer';

const PREFIX = '[沪苏浙皖][A-HJ-NP-Z]';
const ALNUM = '[0-9A-HJ-NP-Z]';
const PATTERNS: ReadonlyArray<readonly [PlateKind, RegExp]> = [
  ['regular', new RegExp(`^${PREFIX}${ALNUM}{5}$`)],
  ['new-energy', new RegExp(`^${PREFIX}(?:[A-HJK]${ALNUM}\\d{4}|\\d{5}[DF])$`)],
  ['trailer', new RegExp(`^${PREFIX}${ALNUM}{4}挂$`)],
];

/** The kind of plate `value` is, or `undefined` when it is not a plate of the four provinces. */
export function plateKind(value: unknown): PlateKind | undefined {
  if (typeof value !== 'string') return undefined;
  return PATTERNS.find(([, pattern]) => pattern.test(value))?.[0];
}

/**
 * True when `value` is a canonical plate (no separator) of 沪, 苏, 浙 or 皖.
 *
 * @example isValidPlate('沪AD69287') // true
 * @example isValidPlate('沪A·12345') // false: normalisePlate first
 */
export function isValidPlate(value: unknown): boolean {
  return plateKind(value) !== undefined;
}

/** Removes the separators printed or typed in plates (`·`, `•`, `.`, spaces, `-`) and upper-cases letters. */
export function normalisePlate(value: string): string {
  return value.replace(/[\s·•.-]/g, '').toUpperCase();
}

/**
 * 行政区划代码 (administrative division code), GB/T 2260: 6 digits = province (2) + prefecture (2) +
 * county (2); `xx0000` is a province, `xxxx00` a prefecture. Format only: the list of codes changes
 * every year, so membership is not checked here.
 *
 * @module
 */

const DIVISION_CODE = /^[1-8]\d{5}$/;

/** Province-level code (first two digits) → the one-character abbreviation (简称) used in licence numbers and plates. */
export const PROVINCE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  '11': '京',
  '12': '津',
  '13': '冀',
  '14': '晋',
  '15': '蒙',
  '21': '辽',
  '22': '吉',
  '23': '黑',
  '31': '沪',
  '32': '苏',
  '33': '浙',
  '34': '皖',
  '35': '闽',
  '36': '赣',
  '37': '鲁',
  '41': '豫',
  '42': '鄂',
  '43': '湘',
  '44': '粤',
  '45': '桂',
  '46': '琼',
  '50': '渝',
  '51': '川',
  '52': '贵',
  '53': '云',
  '54': '藏',
  '61': '陕',
  '62': '甘',
  '63': '青',
  '64': '宁',
  '65': '新',
};

/** True when `value` has the GB/T 2260 shape (6 digits, first 1–8). */
export function isValidDivisionCode(value: unknown): boolean {
  return typeof value === 'string' && DIVISION_CODE.test(value);
}

/**
 * The 简称 of the province a division code belongs to, or `undefined` for an unknown province.
 *
 * @example provinceAbbreviation('310115') // '沪'
 */
export function provinceAbbreviation(divisionCode: string): string | undefined {
  return PROVINCE_ABBREVIATIONS[divisionCode.slice(0, 2)];
}

/**
 * Whether the division `code` lies within `jurisdiction`, by the level of the jurisdiction: a
 * province code (`xx0000`) covers every code of that province, a prefecture code (`xxxx00`) every
 * code of that prefecture, a county code only itself. A code never covers the level above it
 * (`320500` 苏州 does not cover `320000` 江苏省). Anything not shaped like a division code is
 * covered by nothing and covers nothing.
 *
 * @example
 * divisionCovers('310000', '310115') // true: 浦东新区 is in 上海市
 * divisionCovers('320500', '320583') // true: 昆山市 is in 苏州市
 * divisionCovers('320500', '321100') // false: 镇江市 is not in 苏州市
 */
export function divisionCovers(jurisdiction: string, code: string): boolean {
  if (!isValidDivisionCode(jurisdiction) || !isValidDivisionCode(code)) return false;
  if (jurisdiction.endsWith('0000')) return code.startsWith(jurisdiction.slice(0, 2));
  if (jurisdiction.endsWith('00')) return code.startsWith(jurisdiction.slice(0, 4));
  return code === jurisdiction;
}

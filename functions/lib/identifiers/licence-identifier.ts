/**
 * 电子证照标识 (electronic licence identifier), GB/T 36904-2018:
 * `1.2.156.3005.2.{证照类型代码}.{颁发机构代码}.{流水号}.{版本号}.{校验位}`.
 *
 * - 证照类型代码: USCC of the ministry that defines the licence type + 3-digit sequence (21 chars),
 *   e.g. `11100000000019713D008` (交通运输部, 道路运输经营许可证).
 * - 颁发机构代码: the issuing authority's USCC (18 chars).
 * - 流水号: free-form serial (licence number, year + sequence, or a 32-hex UUID), `0-9A-Z` only, as
 *   the check alphabet has nothing else.
 * - 版本号: 3 digits, `001` for the first version.
 * - 校验位: ISO 7064 MOD 37,36 over type + issuer + serial + version with the dots removed.
 *
 * Some public implementations compute the check character wrongly (letters off by one), so a
 * failed check is not a reason to reject a licence: {@link parseLicenceIdentifier} reports it as
 * `checkValid` and lets the caller decide (the hub warns).
 *
 * @module
 */

/** The fixed OID arc every GB/T 36904 identifier starts with. */
export const LICENCE_IDENTIFIER_ROOT = '1.2.156.3005.2';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const BODY = /^[0-9A-Z]+$/;
const SHAPE =
  /^1\.2\.156\.3005\.2\.(?<typeCode>[0-9A-Z]{21})\.(?<issuerCode>[0-9A-Z]{18})\.(?<serial>[0-9A-Z]{1,64})\.(?<version>\d{3})\.(?<check>[0-9A-Z])$/;

/** The parts of a well-formed identifier, dots removed. */
export interface LicenceIdentifierParts {
  /** 证照类型代码, 21 characters. */
  typeCode: string;
  /** 颁发机构代码, the issuer's USCC. */
  issuerCode: string;
  /** 流水号, 1–64 characters of `0-9A-Z`. */
  serial: string;
  /** 版本号, 3 digits. */
  version: string;
  /** 校验位 as written in the identifier (not necessarily the correct one). */
  check: string;
}

export interface ParsedLicenceIdentifier {
  parts: LicenceIdentifierParts;
  /** Whether `parts.check` is the ISO 7064 MOD 37,36 check character of the other parts. */
  checkValid: boolean;
}

/**
 * ISO 7064 MOD 37,36 (hybrid) check character over `body` (`0-9A-Z`): p = 36; for each character
 * p = (p + v) mod 36 (0 → 36), p = 2p mod 37; check = alphabet[(37 − p) mod 36].
 *
 * @throws RangeError when `body` is empty or holds a character outside `0-9A-Z`.
 * @example licenceIdentifierCheckCharacter('11100000000019713D00811310000002435681K310115000001001') // 'S'
 */
export function licenceIdentifierCheckCharacter(body: string): string {
  if (!BODY.test(body)) throw new RangeError('a licence identifier body is one or more characters of 0-9A-Z');
  let p = 36;
  for (const char of body) {
    p = (p + ALPHABET.indexOf(char)) % 36;
    if (p === 0) p = 36;
    p = (2 * p) % 37;
  }
  return ALPHABET[(37 - p) % 36] as string;
}

/**
 * Splits a GB/T 36904 identifier into its parts and verifies the check character. Returns
 * `undefined` when the value is not shaped like an identifier at all (a hard error for callers);
 * a wrong check character only sets `checkValid: false`.
 *
 * @example
 * const parsed = parseLicenceIdentifier(payload.licenceIdentifier);
 * if (!parsed) errors.push(…); else if (!parsed.checkValid) warnings.push(…);
 */
export function parseLicenceIdentifier(value: unknown): ParsedLicenceIdentifier | undefined {
  if (typeof value !== 'string') return undefined;
  const groups = SHAPE.exec(value)?.groups;
  if (!groups) return undefined;
  const { typeCode = '', issuerCode = '', serial = '', version = '', check = '' } = groups;
  return {
    parts: { typeCode, issuerCode, serial, version, check },
    checkValid: licenceIdentifierCheckCharacter(typeCode + issuerCode + serial + version) === check,
  };
}

/** True when `value` is a well-formed identifier whose check character verifies. */
export function isValidLicenceIdentifier(value: unknown): boolean {
  return parseLicenceIdentifier(value)?.checkValid === true;
}

/**
 * Builds an identifier with its check character, e.g. for fixtures.
 *
 * @throws RangeError when a part does not have the shape GB/T 36904 gives it.
 */
export function formatLicenceIdentifier(parts: Omit<LicenceIdentifierParts, 'check'>): string {
  const body = parts.typeCode + parts.issuerCode + parts.serial + parts.version;
  const identifier = [
    LICENCE_IDENTIFIER_ROOT,
    parts.typeCode,
    parts.issuerCode,
    parts.serial,
    parts.version,
  ].join('.');
  const result = `${identifier}.${licenceIdentifierCheckCharacter(body)}`;
  if (!SHAPE.test(result)) throw new RangeError('licence identifier parts do not have the GB/T 36904 shape');
  return result;
}

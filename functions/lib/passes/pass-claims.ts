/**
 * The one-code pass (一码通行): a compact JWS an issuing province's app signs for a person, a
 * vehicle or a vessel, shown as a QR code at another province's checkpoint. The claims contract is
 * schemas/pass/v1.json; the bounds the schema cannot express (lifetime, clock skew) live here.
 */

/** JWS `typ` of a pass. */
export const PASS_TYP = 'delta-pass+jwt';

/** Checkpoint kinds a pass's `scope` can admit, and a checkpoint says it is. */
export const CHECKPOINT_KINDS = ['ferry', 'bus', 'lock', 'service-hall', 'highway'] as const;
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number];

export const PASS_TYPES = ['person', 'vehicle', 'vessel'] as const;
export type PassType = (typeof PASS_TYPES)[number];

/**
 * Longest validity, `exp − min(iat, nbf)`, in seconds: 24 h. Why: a pass is for a journey, and
 * a day covers a round trip across the Delta. A short life bounds what a leaked or screenshotted
 * QR code is worth, keeps revocation the exception rather than the rule, and keeps the window in
 * which a retired-but-not-yet-expired issuing key matters small.
 */
export const PASS_MAX_LIFETIME_SECONDS = 86_400;

/**
 * Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. Checkpoint devices and issuers' app
 * back ends are not all NTP-disciplined; a minute absorbs that without extending a pass noticeably.
 */
export const PASS_CLOCK_SKEW_SECONDS = 60;

/**
 * Longest pass accepted, in characters. A version-40 QR code holds at most 4,296 alphanumeric
 * characters (2,953 bytes); anything longer was never scanned from one.
 */
export const PASS_MAX_LENGTH = 4_096;

/** Most passes in one verify-batch call. */
export const PASS_BATCH_MAX = 100;

export interface PersonHolder {
  /** Masked name, e.g. `张*明`. */
  name: string;
  /** Last four characters of the resident ID number. */
  idLast4: string;
}

export interface VehicleHolder {
  plate: string;
  name?: string;
}

export interface VesselHolder {
  shipName: string;
  /** 船舶识别号, `CN` + 11 digits. */
  shipId: string;
}

export type PassHolder = PersonHolder | VehicleHolder | VesselHolder;

/** Claims of a pass that conforms to schemas/pass/v1.json. */
export interface PassClaims {
  iss: string;
  sub: string;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  passType: PassType;
  scope: CheckpointKind[];
  regions?: string[];
  holder: PassHolder;
  status: { idx: number };
}

/** Where a pass is presented. */
export interface Checkpoint {
  id: string;
  kind: CheckpointKind;
  /** GB/T 2260 code of the checkpoint's division. */
  divisionCode?: string;
}

/**
 * Whether the division `region` (from a pass's `regions`) covers `divisionCode`: a province code
 * (`xx0000`) covers the province, a prefecture code (`xxxx00`) the prefecture, any other only itself.
 *
 * @example regionCovers('330000', '330402') // true: 嘉兴市南湖区 is in 浙江省
 * @example regionCovers('330400', '330100') // false: 杭州 is not in 嘉兴
 */
export function regionCovers(region: string, divisionCode: string): boolean {
  if (region.endsWith('0000')) return divisionCode.slice(0, 2) === region.slice(0, 2);
  if (region.endsWith('00')) return divisionCode.slice(0, 4) === region.slice(0, 4);
  return divisionCode === region;
}

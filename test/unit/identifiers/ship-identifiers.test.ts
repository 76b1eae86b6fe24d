import { describe, expect, it } from 'vitest';
import {
  isChinaMmsi,
  isValidMmsi,
  isValidShipIdentificationNumber,
} from '#lib/identifiers/ship-identifiers.ts';

describe('ship identification number (船舶识别号)', () => {
  it('accepts CN + 11 digits with a plausible keel year', () => {
    for (const value of ['CN20181234567', 'CN19851234560', 'CN20151088236']) {
      expect(isValidShipIdentificationNumber(value)).toBe(true);
    }
  });

  it('rejects other shapes (format only: the check digit algorithm is unpublished)', () => {
    for (const value of [
      'CN2018123456',
      'CN201812345678',
      'cn20181234567',
      'CN18001234567',
      'HK20181234567',
      'CN2018123456A',
      1,
    ]) {
      expect(isValidShipIdentificationNumber(value)).toBe(false);
    }
  });
});

describe('MMSI', () => {
  it('accepts 9-digit ship-station numbers and recognises mainland-China MIDs', () => {
    for (const value of ['412000001', '413812345', '414999999']) {
      expect(isValidMmsi(value)).toBe(true);
      expect(isChinaMmsi(value)).toBe(true);
    }
    for (const value of ['477123456', '453123456', '211234567']) {
      expect(isValidMmsi(value)).toBe(true);
      expect(isChinaMmsi(value)).toBe(false);
    }
  });

  it('rejects wrong lengths, non-ship MIDs and non-strings', () => {
    for (const value of ['41381234', '4138123456', '013812345', '813812345', '41381234A', 413812345]) {
      expect(isValidMmsi(value)).toBe(false);
      expect(isChinaMmsi(value)).toBe(false);
    }
  });
});

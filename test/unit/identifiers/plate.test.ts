import { describe, expect, it } from 'vitest';
import { isValidPlate, normalisePlate, plateKind } from '#lib/identifiers/plate.ts';

describe('vehicle plates of 沪, 苏, 浙, 皖', () => {
  it.each([
    ['沪A12345', 'regular'],
    ['苏E5B327', 'regular'],
    ['浙F3K579', 'regular'],
    ['皖B0A001', 'regular'],
    ['沪AD69287', 'new-energy'],
    ['浙AL12345', undefined],
    ['浙AF12345', 'new-energy'],
    ['苏K02568D', 'new-energy'],
    ['苏E1234挂', 'trailer'],
  ] as const)('%s is %s', (plate, kind) => {
    expect(plateKind(plate)).toBe(kind);
    expect(isValidPlate(plate)).toBe(kind !== undefined);
  });

  it('rejects other provinces, I and O, wrong lengths and separators', () => {
    for (const value of [
      '京A12345',
      '沪I12345',
      '沪A1234O',
      '沪A1234',
      '沪A1234567',
      '沪A·12345',
      'HA12345',
      '沪a12345',
      7,
    ]) {
      expect(isValidPlate(value)).toBe(false);
    }
  });

  it('normalises the printed forms', () => {
    expect(normalisePlate('沪A·12345')).toBe('沪A12345');
    expect(normalisePlate('沪ad 69287')).toBe('沪AD69287');
    expect(isValidPlate(normalisePlate('苏K-0256 8D'))).toBe(true);
  });
});

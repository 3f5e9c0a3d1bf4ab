import { describe, expect, it } from 'vitest';
import {
  dni,
  ibanCheckDigits,
  isin,
  isValidIban,
  isValidIsin,
  spanishControlDigits,
  spanishIban,
} from '../../src/testing/sandbox/identifiers';

describe('check digits', () => {
  it('computes ISIN check digits that match real ISINs', () => {
    expect(isin('US037833100')).toBe('US0378331005');
    expect(isin('IE00B4L5Y98')).toBe('IE00B4L5Y983');
    expect(isin('ES0144580Y1')).toBe('ES0144580Y14');
    expect(isValidIsin('ES0113900J37')).toBe(true);
    expect(isValidIsin('ES0113900J38')).toBe(false);
  });

  it('computes Spanish IBANs with valid national and international check digits', () => {
    expect(spanishControlDigits('2100', '0418', '0200051332')).toBe('45');
    expect(spanishIban('2100', '0418', '0200051332')).toBe('ES9121000418450200051332');
    expect(ibanCheckDigits('GB', 'WEST12345698765432')).toBe('82');
    expect(isValidIban('ES91 2100 0418 4502 0005 1332')).toBe(true);
    expect(isValidIban('ES9221000418450200051332')).toBe(false);
  });

  it('computes the DNI letter', () => {
    expect(dni('12345678')).toBe('12345678Z');
    expect(dni('00000000')).toBe('00000000T');
  });
});

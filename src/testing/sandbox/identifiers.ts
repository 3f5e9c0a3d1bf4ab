// Check-digit arithmetic for the identifiers in generated data. A sandbox that emits invalid IBANs
// or ISINs would teach integrators to skip validation, so every identifier is computed, not typed.

function alphanumericToDigits(value: string): string {
  let out = '';
  for (const char of value.toUpperCase()) {
    out += char >= 'A' && char <= 'Z' ? String(char.charCodeAt(0) - 55) : char;
  }
  return out;
}

/** The Luhn check digit to append to `digits` (card numbers, and ISINs after expansion). */
export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    // The check digit will sit to the right, so the rightmost body digit is the first one doubled.
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

/** ISIN check digit (ISO 6166): Luhn over the letters-as-numbers expansion of the first 11 chars. */
function isinCheckDigit(body: string): string {
  if (!/^[A-Z]{2}[A-Z0-9]{9}$/.test(body)) throw new RangeError(`Not an ISIN body: ${body}`);
  return luhnCheckDigit(alphanumericToDigits(body));
}

export function isin(body: string): string {
  return body + isinCheckDigit(body);
}

export function isValidIsin(value: string): boolean {
  return /^[A-Z]{2}[A-Z0-9]{9}[0-9]$/.test(value) && isinCheckDigit(value.slice(0, 11)) === value.slice(11);
}

function mod97(numeric: string): number {
  let remainder = 0;
  for (const char of numeric) remainder = (remainder * 10 + Number(char)) % 97;
  return remainder;
}

/** IBAN check digits (ISO 13616): 98 minus the mod-97 of BBAN + country + "00". */
export function ibanCheckDigits(country: string, bban: string): string {
  return String(98 - mod97(alphanumericToDigits(`${bban}${country}00`))).padStart(2, '0');
}

export function isValidIban(value: string): boolean {
  const compact = value.replaceAll(' ', '');
  return (
    /^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$/.test(compact) &&
    mod97(alphanumericToDigits(compact.slice(4) + compact.slice(0, 4))) === 1
  );
}

const CCC_WEIGHTS = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];

function cccDigit(tenDigits: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(tenDigits[i]) * (CCC_WEIGHTS[i] ?? 0);
  const digit = 11 - (sum % 11);
  return digit === 11 ? 0 : digit === 10 ? 1 : digit;
}

/** The two Spanish "dígitos de control" of a CCC: one over bank+branch, one over the account number. */
export function spanishControlDigits(bank: string, branch: string, account: string): string {
  return `${cccDigit(`00${bank}${branch}`)}${cccDigit(account)}`;
}

/** A Spanish IBAN whose national and international check digits are both valid. */
export function spanishIban(bank: string, branch: string, account: string): string {
  const bban = `${bank}${branch}${spanishControlDigits(bank, branch, account)}${account}`;
  return `ES${ibanCheckDigits('ES', bban)}${bban}`;
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** A Spanish DNI: eight digits and the letter of their remainder mod 23. */
export function dni(eightDigits: string): string {
  return eightDigits + DNI_LETTERS.charAt(Number(eightDigits) % 23);
}

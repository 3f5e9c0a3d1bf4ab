import { dni, ibanCheckDigits, isValidIban, luhnCheckDigit } from './sandbox/identifiers';

/*
 * What a recording keeps of a Flanks exchange (see record.ts). Rules:
 * - Secrets are replaced by `redacted-<kind>-<n>`: the client id and secret, access and refresh
 *   tokens, credentials tokens and connection ids, link codes and link tokens, reset / SCA /
 *   transaction tokens, the signed link `state`, and URLs Flanks hands out (widget, report file).
 *   Found by key in JSON bodies and query strings, in the `Authorization` header, and then as a
 *   substring of every other string (a token echoed in a message or built into an id).
 * - Personal data is replaced by a placeholder of the same shape: names (a fake name with as many
 *   words), document ids (a DNI / NIE with a valid letter, else the same pattern), IBANs (same country
 *   and length, valid check digits), card numbers (same length, valid Luhn; a masked PAN keeps its
 *   mask), e-mails, phone numbers (same layout), addresses, and free text that may quote a name
 *   (descriptions, aliases: letters and digits masked, layout kept). Found by key, and anywhere by
 *   pattern (a valid IBAN, a Luhn-valid card number, an e-mail, a valid DNI / NIE, an international
 *   phone number).
 * - One mapping per recording: the same value always gets the same placeholder, so a token a
 *   response gave is the token later requests carry, and replay can match them.
 * Amounts, dates, categories, product types and ids derived by Flanks are kept.
 */

/** `secret`: a secret of that kind; `personal`: personal data of that shape; `all`: every string below is free text. */
type Kind = { secret: string } | { personal: string } | { all: true };

const SECRET_KEYS: Record<string, string> = {
  client_id: 'client_id',
  client_secret: 'client_secret',
  access_token: 'access_token',
  refresh_token: 'refresh_token',
  credentials_token: 'credentials_token',
  connection_id: 'credentials_token',
  reset_token: 'reset_token',
  sca_token: 'sca_token',
  transaction_token: 'transaction_token',
  link_token: 'link_token',
  state: 'state',
};
const URL_KEYS = new Set(['url', 'session_url', 'widget_url', 'connect_url']);
const PERSONAL_KEYS: Record<string, Kind> = {
  owners: { personal: 'name' },
  beneficiary: { personal: 'name' },
  payer: { personal: 'name' },
  ordenant: { personal: 'name' },
  holder: { personal: 'name' },
  titular: { personal: 'name' },
  fullName: { personal: 'name' },
  firstName: { personal: 'name' },
  lastName: { personal: 'name' },
  surname: { personal: 'name' },
  name: { personal: 'text' },
  description: { personal: 'text' },
  productDescription: { personal: 'text' },
  concept: { personal: 'text' },
  alias: { personal: 'text' },
  external_id: { personal: 'text' },
  refValores: { personal: 'text' },
  email: { personal: 'email' },
  phone: { personal: 'phone' },
  mobile: { personal: 'phone' },
  document_id: { personal: 'document' },
  documentId: { personal: 'document' },
  document: { personal: 'document' },
  nif: { personal: 'document' },
  dni: { personal: 'document' },
  nie: { personal: 'document' },
  iban: { personal: 'iban' },
  refAccount: { personal: 'iban' },
  refAccounts: { personal: 'iban' },
  ibanPayer: { personal: 'iban' },
  ibanBeneficiary: { personal: 'iban' },
  ibanOrdenant: { personal: 'iban' },
  pan: { personal: 'card' },
  cardNumber: { personal: 'card' },
  address: { all: true },
  contactInfo: { all: true },
  extra: { all: true },
};

const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}\b/g;
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const DNI = /\b[XYZ0-9]\d{7}[A-Z]\b/g;
const PHONE = /\+\d{2}[\d ]{8,14}\d/g;

function luhnValid(digits: string): boolean {
  return luhnCheckDigit(digits.slice(0, -1)) === digits.slice(-1);
}
const nieDigits = (value: string) =>
  value.replace(/^X/, '0').replace(/^Y/, '1').replace(/^Z/, '2').slice(0, 8);
const validDni = (value: string) => dni(nieDigits(value)).slice(-1) === value.slice(-1);

/** `n` as digits, padded or cut to `length`. */
const digitsOf = (n: number, length: number) => String(n).padStart(length, '0').slice(-length);

/** Letters become x / X, digits come from `n`; everything else (spaces, dashes, masks) stays. */
function maskShape(value: string, n: number): string {
  const digits = value.replace(/\D/g, '').length;
  const fill = digitsOf(n, Math.max(digits, 1));
  let i = 0;
  return value.replace(/[\p{L}\d]/gu, (c) =>
    /\d/.test(c) ? (fill[i++] ?? '0') : c === c.toUpperCase() ? 'X' : 'x',
  );
}

export class Scrubber {
  readonly #map = new Map<string, string>();
  readonly #placeholders = new Set<string>();
  readonly #counters = new Map<string, number>();
  /** Originals known so far, longest first, for the substring pass. */
  #known: string[] = [];

  #next(kind: string): number {
    const n = (this.#counters.get(kind) ?? 0) + 1;
    this.#counters.set(kind, n);
    return n;
  }

  #remember(original: string, make: (n: number) => string, kind: string): string {
    // A placeholder met again (a token a replayed response gave, a placeholder IBAN in a text) stays.
    if (this.#placeholders.has(original)) return original;
    let placeholder = this.#map.get(original);
    if (placeholder === undefined) {
      placeholder = make(this.#next(kind));
      this.#map.set(original, placeholder);
      this.#placeholders.add(placeholder);
      // Free text (descriptions, names of things) is masked where it is, not hunted elsewhere: a
      // bank id that is also a status `name` must stay usable in `entity` and the entities list.
      if (original.length >= 4 && kind !== 'text') {
        this.#known.push(original);
        this.#known.sort((a, b) => b.length - a.length);
      }
    }
    return placeholder;
  }

  /** The placeholder of a secret. */
  secret(value: string, kind: string): string {
    return this.#remember(value, (n) => `redacted-${kind}-${n}`, kind);
  }

  /** The same-shaped placeholder of a piece of personal data. */
  personal(value: string, kind: string): string {
    return this.#remember(value, (n) => this.#shape(value, kind, n), kind);
  }

  #shape(value: string, kind: string, n: number): string {
    switch (kind) {
      case 'name':
        return value
          .split(/\s+/)
          .filter(Boolean)
          .map((_, i) => (i === 0 ? `Name${n}` : `Surname${n}${String.fromCharCode(96 + i)}`))
          .join(' ');
      case 'email':
        return `user${n}@example.com`;
      case 'url':
        return `https://redacted.invalid/url-${n}`;
      case 'iban': {
        const compact = value.replaceAll(' ', '');
        if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return maskShape(value, n);
        const bban = digitsOf(n, compact.length - 4);
        return `${compact.slice(0, 2)}${ibanCheckDigits(compact.slice(0, 2), bban)}${bban}`;
      }
      case 'card': {
        const digits = value.replace(/\D/g, '');
        if (digits.length >= 13 && digits === value.replace(/[ -]/g, '')) {
          // Same length and layout (spaces, dashes), a valid Luhn digit.
          const body = `4${digitsOf(n, digits.length - 2)}`;
          const fill = body + luhnCheckDigit(body);
          let i = 0;
          return value.replace(/\d/g, () => fill.charAt(i++));
        }
        return maskShape(value, n);
      }
      case 'document':
        if (/^[XYZ0-9]\d{7}[A-Z]$/.test(value)) {
          const prefix = /^[XYZ]/.test(value) ? value.charAt(0) : '';
          const body = prefix + digitsOf(n, 8 - prefix.length);
          return body + dni(nieDigits(body)).slice(-1);
        }
        return maskShape(value, n);
      default:
        return maskShape(value, n);
    }
  }

  /** How a value under `key` is treated, for a request or response to `path`. */
  #kind(key: string | undefined, path: string): Kind | undefined {
    if (key === undefined) return undefined;
    if (key in SECRET_KEYS) return { secret: SECRET_KEYS[key] as string };
    if (key === 'code' && path === '/v0/platform/link') return { secret: 'link_code' };
    if (key === 'token' && path.startsWith('/v0/links/')) return { secret: 'link_token' };
    if (URL_KEYS.has(key)) return { personal: 'url' };
    return PERSONAL_KEYS[key];
  }

  #string(value: string, kind: Kind | undefined): string {
    if (kind && 'secret' in kind) return this.secret(value, kind.secret);
    if (kind && 'personal' in kind) return this.personal(value, kind.personal);
    if (kind) return this.personal(value, 'text');
    return value;
  }

  /** Phase 1: learns every value found by key (so a later substring pass knows them all). */
  learn(value: unknown, path: string, key?: string, inherited?: Kind): void {
    const kind = this.#kind(key, path) ?? inherited;
    if (typeof value === 'string') this.#string(value, kind);
    else if (Array.isArray(value)) for (const item of value) this.learn(item, path, key, kind);
    else if (value !== null && typeof value === 'object') {
      const passOn = kind && 'all' in kind ? kind : undefined;
      for (const [k, v] of Object.entries(value)) this.learn(v, path, k, passOn);
    }
  }

  /**
   * Phase 2: the scrubbed copy of `value`. `redacted` collects the paths (from `at`) whose value
   * changed.
   */
  apply(
    value: unknown,
    path: string,
    at: string,
    redacted: string[],
    key?: string,
    inherited?: Kind,
  ): unknown {
    const kind = this.#kind(key, path) ?? inherited;
    if (typeof value === 'string') {
      const out = kind ? this.#string(value, kind) : this.text(value);
      if (out !== value) redacted.push(at);
      return out;
    }
    if (Array.isArray(value))
      return value.map((v, i) => this.apply(v, path, `${at}[${i}]`, redacted, key, kind));
    if (value !== null && typeof value === 'object') {
      const passOn = kind && 'all' in kind ? kind : undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value))
        out[k] = this.apply(v, path, `${at}.${k}`, redacted, k, passOn);
      return out;
    }
    return value;
  }

  /** Free text: known originals replaced wherever they appear, then anything that looks personal. */
  text(value: string): string {
    let out = value;
    for (const original of this.#known) {
      if (out.includes(original)) out = out.replaceAll(original, this.#map.get(original) as string);
    }
    return out
      .replace(IBAN, (m) => (isValidIban(m) ? this.personal(m, 'iban') : m))
      .replace(EMAIL, (m) => this.personal(m, 'email'))
      .replace(PHONE, (m) => this.personal(m, 'phone'))
      .replace(CARD, (m) => (luhnValid(m.replace(/\D/g, '')) ? this.personal(m, 'card') : m))
      .replace(DNI, (m) => (validDni(m) ? this.personal(m, 'document') : m));
  }
}

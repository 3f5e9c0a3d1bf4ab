import { describe, expect, it } from 'vitest';
import { dni, isValidIban, luhnCheckDigit, spanishIban } from '../../src/testing/sandbox/identifiers';
import { Scrubber } from '../../src/testing/scrub';

const luhnValid = (digits: string) => luhnCheckDigit(digits.slice(0, -1)) === digits.slice(-1);

describe('Scrubber', () => {
  it('finds personal data by pattern in free text and gives same-shaped, valid placeholders', () => {
    const scrubber = new Scrubber();
    const iban = spanishIban('2100', '0418', '0200051332');
    const card = '4539 1488 0343 6467';
    const id = dni('12345678');
    const badNie = `Y1234567${dni('11234567').endsWith('A') ? 'B' : 'A'}`;
    const text = `Pago ${card} desde ${iban} de ${id} (ana.perez@gmail.com, +34 612 345 678) NIE ${badNie}`;
    const out = scrubber.text(text);
    for (const value of [iban, card, id, 'ana.perez@gmail.com', '+34 612 345 678'])
      expect(out).not.toContain(value);
    const [, newCard, newIban, newId] = /Pago (.+) desde (\S+) de (\S+) \(/.exec(out)!;
    expect(newCard).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(luhnValid(newCard!.replace(/\D/g, ''))).toBe(true);
    expect(isValidIban(newIban!)).toBe(true);
    expect(newIban).toHaveLength(iban.length);
    expect(newId).toBe(dni(newId!.slice(0, 8)));
    expect(out).toMatch(/user\d+@example\.com/);
    expect(out).toMatch(/\+\d\d \d{3} \d{3} \d{3}/);
    // Not a valid DNI/NIE letter: left alone (an id of something else).
    expect(out).toContain(badNie);
  });

  it('maps a value to the same placeholder every time, and never re-maps a placeholder', () => {
    const scrubber = new Scrubber();
    const first = scrubber.secret('ct_secret_token_1', 'credentials_token');
    expect(scrubber.secret('ct_secret_token_1', 'credentials_token')).toBe(first);
    expect(scrubber.secret(first, 'credentials_token')).toBe(first);
    expect(scrubber.text(`token ct_secret_token_1 echoed`)).toBe(`token ${first} echoed`);
    const iban = spanishIban('0049', '1500', '0512345678');
    const placeholder = scrubber.personal(iban, 'iban');
    expect(scrubber.text(`to ${iban}`)).toBe(`to ${placeholder}`);
  });

  it('by key: secrets, names with as many words, masked free text; amounts and ids stay', () => {
    const scrubber = new Scrubber();
    const body = {
      credentials_token: 'ct_abc_123',
      _id: 'tx_1',
      amount: -12.5,
      owners: ['Ana Pérez Gil', 'Luis Mora'],
      description: 'BIZUM A LUIS MORA 0042',
      extra: { state: 'signed.state.value', plan: 'pro' },
    };
    scrubber.learn(body, '/v0/bank/credentials/data');
    const redacted: string[] = [];
    const out = scrubber.apply(body, '/v0/bank/credentials/data', 'body', redacted) as typeof body;
    expect(out).toEqual({
      credentials_token: 'redacted-credentials_token-1',
      _id: 'tx_1',
      amount: -12.5,
      owners: ['Name1 Surname1a Surname1b', 'Name2 Surname2a'],
      description: 'XXXXX X XXXX XXXX 0001',
      extra: { state: 'redacted-state-1', plan: 'xxx' },
    });
    expect(redacted).toEqual([
      'body.credentials_token',
      'body.owners[0]',
      'body.owners[1]',
      'body.description',
      'body.extra.state',
      'body.extra.plan',
    ]);
  });
});

// Seeded generator of one credential's bank data: a believable Spanish household with a salary
// account, a joint savings account, a mortgage, a credit card and four portfolios. Field names
// follow the Flanks data model where it is public (Portfolio, Account, account transactions);
// elsewhere they are the sandbox's own guess, kept in the same camelCase/snake_case mix.
//
// Invariants tests can rely on: portfolio balance = sum of its investments' balances (to the
// cent); each account's running balance = previous balance + amount; the card settlement in the
// account equals the previous month's card spend; mortgage instalments appear both as account
// and liability transactions; every IBAN, ISIN and DNI has valid check digits.

import { hash32 } from '../../internal/hash';
import {
  BONDS,
  CARD_MERCHANTS,
  CITIES,
  EMPLOYERS,
  type Entity,
  EQUITIES,
  ETFS,
  FIRST_NAMES,
  FUNDS,
  PENSION_PLANS,
  type Security,
  SUPERMARKETS,
  SURNAMES,
  TELECOMS,
  UTILITIES,
} from './catalog';
import { dni, isin, spanishIban } from './identifiers';
import { hexId, Rng } from './random';

const DAY_MS = 86_400_000;
/** How far back account and card transactions go. */
const WINDOW_DAYS = 182;

export interface DataInput {
  credentialsToken: string;
  seed: number;
  entity: Entity;
  /** Data is dated relative to the credential's creation, so it never shifts under a test. */
  createdAtMs: number;
  externalId: string | null;
}

export interface Transfer {
  payer: string;
  ibanPayer: string;
  beneficiary: string;
  ibanBeneficiary: string;
}

export interface Identity {
  _id: string;
  name: string;
  document_id: string;
  contactInfo: { email: string; phone: string };
  address: { street: string; postalCode: string; city: string; province: string; country: string };
}

export interface Holder {
  product_id: string;
  rel: 'Titular' | 'Autorizado';
  name: string;
  document_id: string;
}

export interface Account {
  _id: string;
  account_id: string;
  iban: string;
  alias: string;
  balance: number;
  currency: string;
  description: string;
  entity: string;
  isOwner: boolean;
  numOwners: number;
  owners: string[];
  type: 'cashAccount';
}

export interface AccountTransaction {
  _id: string;
  account_id: string;
  amount: number;
  balance: number;
  currency: string;
  operationDate: string;
  valueDate: string;
  description: string;
  category: string;
  productDescription: string;
  entity: string;
  transfer?: Transfer;
}

export interface Portfolio {
  _id: string;
  name: string;
  type: 'F' | 'S' | 'PP' | 'MIX';
  tax_type: string;
  currency: string;
  refValores: string;
  refAccount: string;
  refAccounts: string[];
  owners: string[];
  balance: number;
  entity: string;
  external_id: string | null;
  updated_at_timestamp: number;
}

export interface Investment {
  _id: string;
  name: string;
  isin: string;
  portfolio_id: string;
  type: 'F' | 'VI' | 'PP' | 'ETF' | 'FI';
  amount: number;
  price: number;
  price_date: string;
  balance: number;
  cost: number;
  currency: string;
  entity: string;
  external_id: string | null;
  updated_at_timestamp: number;
}

export interface InvestmentTransaction {
  _id: string;
  investment_id: string;
  portfolio_id: string;
  refValores: string;
  isin: string;
  name: string;
  type: 'BUY' | 'SUBSCRIPTION' | 'CONTRIBUTION' | 'TRANSFER_IN' | 'DIVIDEND';
  description: string;
  /** Units bought; 0 for dividends. */
  shares: number;
  price: number | null;
  /** Cash effect for the investor: negative when money goes into the investment. */
  amount: number;
  fees: number;
  currency: string;
  operationDate: string;
  valueDate: string;
  entity: string;
}

export interface Liability {
  _id: string;
  liability_id: string;
  type: 'Loan';
  description: string;
  alias: string;
  /** Outstanding principal. */
  balance: number;
  initialAmount: number;
  /** Nominal yearly rate, in percent. */
  interestRate: number;
  monthlyPayment: number;
  startDate: string;
  endDate: string;
  currency: string;
  entity: string;
  account_id: string;
  owners: string[];
}

export interface LiabilityTransaction {
  _id: string;
  liability_id: string;
  amount: number;
  capital: number;
  interest: number;
  /** Outstanding principal after this instalment. */
  balance: number;
  currency: string;
  operationDate: string;
  valueDate: string;
  description: string;
  entity: string;
}

export interface Card {
  _id: string;
  card_id: string;
  pan: string;
  alias: string;
  description: string;
  type: 'credit';
  /** Spend not yet settled against the account, negative. */
  balance: number;
  limit: number;
  currency: string;
  entity: string;
  account_id: string;
  owners: string[];
}

export interface CardTransaction {
  _id: string;
  card_id: string;
  amount: number;
  currency: string;
  operationDate: string;
  valueDate: string;
  description: string;
  category: string;
  entity: string;
}

export interface BankData {
  identity: Identity;
  holders: Holder[];
  accounts: Account[];
  accountTransactions: AccountTransaction[];
  portfolios: Portfolio[];
  investments: Investment[];
  investmentTransactions: InvestmentTransaction[];
  liabilities: Liability[];
  liabilityTransactions: LiabilityTransaction[];
  cards: Card[];
  cardTransactions: CardTransaction[];
  lastTransactionDate: string;
}

interface Person {
  first: string;
  surnames: [string, string];
  name: string;
  documentId: string;
}

interface CashEvent {
  date: number;
  cents: number;
  description: string;
  category: string;
  transfer?: Transfer;
}

interface Lot {
  date: number;
  type: InvestmentTransaction['type'];
  description: string;
  /** Units in the investment's smallest step (1 or 1/10,000). */
  steps: number;
  price: number | null;
  cents: number;
  feeCents: number;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const euros = (cents: number): number => cents / 100;
const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));
const stripAccents = (text: string): string => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');

function utcDate(year: number, month: number, day: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(day, lastDay));
}

function person(rng: Rng): Person {
  const first = rng.pick(FIRST_NAMES);
  const [a, b] = rng.sample(SURNAMES, 2) as [string, string];
  return { first, surnames: [a, b], name: `${first} ${a} ${b}`, documentId: dni(rng.digits(8)) };
}

/** Name-derived ISIN for products without a well-known one, so a fund keeps its ISIN everywhere. */
function securityIsin(security: Security): string {
  if (security.isinBody) return isin(security.isinBody);
  const digits = String(hash32(security.name) % 100_000_000).padStart(8, '0');
  return isin(`${security.country ?? 'ES'}0${digits}`);
}

/** Integers ≥ 1 summing to `total`; fewer parts when `total` is too small. */
function splitSteps(rng: Rng, total: number, parts: number): number[] {
  const count = Math.max(1, Math.min(parts, total));
  const out: number[] = [];
  let remaining = total;
  for (let i = 0; i < count - 1; i++) {
    const take = Math.max(
      1,
      Math.min(remaining - (count - 1 - i), Math.floor((remaining * rng.int(25, 60)) / 100)),
    );
    out.push(take);
    remaining -= take;
  }
  out.push(remaining);
  return out;
}

/** Builds the whole data set for one credential. Pure: same input, same output. */
export function generateBankData(input: DataInput): BankData {
  const rng = new Rng(hash32(`${input.credentialsToken}:${input.seed}`));
  const today = Math.floor(input.createdAtMs / DAY_MS) * DAY_MS;
  const windowStart = today - WINDOW_DAYS * DAY_MS;
  const inWindow = (ms: number): boolean => ms >= windowStart && ms < today;
  const updatedAt = Math.floor(input.createdAtMs / 1000);
  const entity = input.entity.id;
  const bankCode = input.entity.bankCode;
  const id = (key: string): string => hexId(`${input.credentialsToken}:${key}`);
  const externalId = (key: string): string | null =>
    input.externalId === null ? null : hexId(`${input.externalId}:${key}`);

  const todayDate = new Date(today);
  const months = Array.from({ length: 8 }, (_, i) => {
    const d = new Date(Date.UTC(todayDate.getUTCFullYear(), todayDate.getUTCMonth() - 7 + i, 1));
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() };
  });
  const monthly = (day: number): number[] =>
    months.map(({ year, month }) => utcDate(year, month, day)).filter(inWindow);

  const holder = person(rng);
  let partner = person(rng);
  while (partner.documentId === holder.documentId) partner = person(rng);
  const place = rng.pick(CITIES);

  // Accounts
  const branch = rng.digits(4);
  const mainIban = spanishIban(bankCode, branch, rng.digits(10));
  const savingsIban = spanishIban(bankCode, branch, rng.digits(10));
  const mainAccountId = id(`account:${mainIban}`);
  const savingsAccountId = id(`account:${savingsIban}`);
  const employer = rng.pick(EMPLOYERS);
  const employerIban = spanishIban(rng.pick(['0049', '0182', '2100', '0081']), rng.digits(4), rng.digits(10));

  const mainEvents: CashEvent[] = [];
  const savingsEvents: CashEvent[] = [];

  const salary = rng.cents(1900, 3600);
  for (const date of monthly(28)) {
    const month = new Date(date).getUTCMonth();
    // Spanish salaries usually pay two extra monthly payments, in June and December.
    const extra = month === 5 || month === 11;
    mainEvents.push({
      date,
      cents: extra ? salary * 2 : salary,
      description: `NOMINA ${extra ? 'Y PAGA EXTRA ' : ''}${employer}`,
      category: 'Nómina',
      transfer: {
        payer: employer,
        ibanPayer: employerIban,
        beneficiary: holder.name,
        ibanBeneficiary: mainIban,
      },
    });
  }

  // Mortgage: French amortisation from its start date, so the outstanding balance is exact.
  const principal = rng.int(110, 240) * 100_000;
  const ratePercent = rng.int(180, 340) / 100;
  const termMonths = rng.pick([300, 360]);
  const startMonthsAgo = rng.int(30, 90);
  const monthlyRate = ratePercent / 100 / 12;
  const payment = Math.round((principal * monthlyRate) / (1 - (1 + monthlyRate) ** -termMonths));
  const signed = utcDate(
    todayDate.getUTCFullYear(),
    todayDate.getUTCMonth() - startMonthsAgo,
    rng.int(8, 26),
  );
  const liabilityId = id('liability:mortgage');
  const liabilityTransactions: LiabilityTransaction[] = [];
  let outstanding = principal;
  for (let k = 1; ; k++) {
    const date = utcDate(todayDate.getUTCFullYear(), todayDate.getUTCMonth() - startMonthsAgo + k, 1);
    if (date >= today) break;
    const interest = Math.round(outstanding * monthlyRate);
    outstanding -= payment - interest;
    if (!inWindow(date)) continue;
    const label = `CUOTA PRESTAMO HIPOTECARIO ${String(k).padStart(3, '0')}/${termMonths}`;
    mainEvents.push({ date, cents: -payment, description: label, category: 'Préstamos' });
    liabilityTransactions.push({
      _id: id(`liability-tx:${k}`),
      liability_id: liabilityId,
      amount: euros(-payment),
      capital: euros(payment - interest),
      interest: euros(interest),
      balance: euros(outstanding),
      currency: 'EUR',
      operationDate: isoDate(date),
      valueDate: isoDate(date),
      description: label,
      entity,
    });
  }
  const liability: Liability = {
    _id: id(`liability:${liabilityId}`),
    liability_id: liabilityId,
    type: 'Loan',
    description: 'PRESTAMO HIPOTECARIO VIVIENDA',
    alias: 'Hipoteca',
    balance: euros(outstanding),
    initialAmount: euros(principal),
    interestRate: ratePercent,
    monthlyPayment: euros(payment),
    startDate: isoDate(signed),
    endDate: isoDate(
      utcDate(todayDate.getUTCFullYear(), todayDate.getUTCMonth() - startMonthsAgo + termMonths, 1),
    ),
    currency: 'EUR',
    entity,
    account_id: mainAccountId,
    owners: [holder.name, partner.name],
  };

  const community = rng.cents(45, 95);
  for (const date of monthly(2)) {
    mainEvents.push({
      date,
      cents: -community,
      description: 'RECIBO COMUNIDAD DE PROPIETARIOS',
      category: 'Hogar',
    });
  }
  const [utility, , utilMin, utilMax] = rng.pick(UTILITIES);
  for (const date of monthly(6)) {
    mainEvents.push({
      date,
      cents: -rng.cents(utilMin, utilMax),
      description: utility,
      category: 'Suministros',
    });
  }
  const [telecom, , telMin, telMax] = rng.pick(TELECOMS);
  const telecomFee = rng.cents(telMin, telMax);
  for (const date of monthly(10)) {
    mainEvents.push({ date, cents: -telecomFee, description: telecom, category: 'Comunicaciones' });
  }
  const savingsMonthly = rng.int(2, 6) * 10_000;
  for (const date of monthly(29)) {
    mainEvents.push({
      date,
      cents: -savingsMonthly,
      description: 'TRANSFERENCIA A CUENTA AHORRO',
      category: 'Transferencias',
      transfer: {
        payer: holder.name,
        ibanPayer: mainIban,
        beneficiary: holder.name,
        ibanBeneficiary: savingsIban,
      },
    });
    savingsEvents.push({
      date,
      cents: savingsMonthly,
      description: `TRANSFERENCIA DE ${stripAccents(holder.name).toUpperCase()}`,
      category: 'Transferencias',
      transfer: {
        payer: holder.name,
        ibanPayer: mainIban,
        beneficiary: holder.name,
        ibanBeneficiary: savingsIban,
      },
    });
  }
  for (const date of monthly(31)) {
    savingsEvents.push({
      date,
      cents: rng.cents(1.5, 9),
      description: 'LIQUIDACION DE INTERESES',
      category: 'Intereses',
    });
  }
  for (let date = windowStart + rng.int(0, 4) * DAY_MS; date < today; date += rng.int(4, 9) * DAY_MS) {
    const [shop, category, min, max] = rng.pick(SUPERMARKETS);
    mainEvents.push({
      date,
      cents: -rng.cents(min, max),
      description: `PAGO CON TARJETA EN ${shop} ${stripAccents(place.city).toUpperCase()}`,
      category,
    });
  }
  for (const { year, month } of months) {
    for (let i = rng.int(0, 4); i > 0; i--) {
      const date = utcDate(year, month, rng.int(1, 28));
      if (!inWindow(date)) continue;
      const friend = stripAccents(person(rng).name).toUpperCase();
      const incoming = rng.chance(0.45);
      mainEvents.push({
        date,
        cents: (incoming ? 1 : -1) * rng.int(5, 60) * 100,
        description: incoming ? `BIZUM DE ${friend}` : `BIZUM A ${friend}`,
        category: 'Bizum',
      });
    }
    const atm = utcDate(year, month, rng.int(1, 28));
    if (inWindow(atm) && rng.chance(0.5)) {
      mainEvents.push({
        date: atm,
        cents: -rng.pick([50, 100, 150]) * 100,
        description: 'REINTEGRO CAJERO',
        category: 'Efectivo',
      });
    }
  }

  // Credit card, settled against the main account on the 3rd of the next month.
  const cardId = id('card:credit');
  const last4 = rng.digits(4);
  const cardRaw: { date: number; cents: number; description: string; category: string }[] = [];
  for (const { year, month } of months) {
    for (let i = rng.int(6, 11); i > 0; i--) {
      const date = utcDate(year, month, rng.int(1, 28));
      const [merchant, category, min, max] = rng.pick(CARD_MERCHANTS);
      if (inWindow(date))
        cardRaw.push({ date, cents: -rng.cents(min, max), description: merchant, category });
    }
    const netflix = utcDate(year, month, 12);
    if (inWindow(netflix))
      cardRaw.push({ date: netflix, cents: -1299, description: 'NETFLIX.COM', category: 'Ocio' });
    const spotify = utcDate(year, month, 15);
    if (inWindow(spotify))
      cardRaw.push({ date: spotify, cents: -1099, description: 'SPOTIFY', category: 'Ocio' });
  }
  cardRaw.sort((a, b) => b.date - a.date);
  let unsettled = 0;
  for (const { year, month } of months) {
    const spent = cardRaw
      .filter((t) => new Date(t.date).getUTCFullYear() === year && new Date(t.date).getUTCMonth() === month)
      .reduce((sum, t) => sum + t.cents, 0);
    const settlement = utcDate(year, month + 1, 3);
    if (settlement >= today) unsettled += spent;
    else if (inWindow(settlement) && spent !== 0) {
      mainEvents.push({
        date: settlement,
        cents: spent,
        description: `LIQUIDACION TARJETA CREDITO **** ${last4}`,
        category: 'Tarjetas',
      });
    }
  }
  const cardTransactions: CardTransaction[] = cardRaw.map((t, i) => ({
    _id: id(`card-tx:${i}:${t.date}`),
    card_id: cardId,
    amount: euros(t.cents),
    currency: 'EUR',
    operationDate: isoDate(t.date),
    valueDate: isoDate(t.date),
    description: t.description,
    category: t.category,
    entity,
  }));
  const card: Card = {
    _id: id(`card:${cardId}`),
    card_id: cardId,
    pan: `**** **** **** ${last4}`,
    alias: 'Tarjeta Visa Oro',
    description: 'VISA ORO',
    type: 'credit',
    balance: euros(unsettled),
    limit: rng.pick([3000, 4000, 6000]),
    currency: 'EUR',
    entity,
    account_id: mainAccountId,
    owners: [holder.name],
  };

  // Portfolios
  const refValores = (): string => `${bankCode}${rng.digits(10)}`;
  const portfolios: Portfolio[] = [];
  const investments: Investment[] = [];
  const investmentTransactions: InvestmentTransaction[] = [];
  const ppMonthly = rng.pick([50, 100, 150, 250]) * 100;
  const ppDates = monthly(5);
  for (const date of ppDates) {
    mainEvents.push({
      date,
      cents: -ppMonthly,
      description: 'APORTACION PLAN DE PENSIONES',
      category: 'Inversión',
    });
  }

  type Holding = { security: Security; type: Investment['type']; decimals: 0 | 4; lots: Lot[] };
  const lotsOf = (
    security: Security,
    decimals: 0 | 4,
    targetCents: number,
    label: string,
    type: Lot['type'],
  ): Lot[] => {
    const scale = 10 ** decimals;
    const steps = Math.max(1, Math.round((targetCents / 100 / security.price) * scale));
    const dates = Array.from({ length: 3 }, () => today - rng.int(20, 420) * DAY_MS).sort((a, b) => a - b);
    return splitSteps(rng, steps, rng.int(1, 3)).map((part, i) => {
      const price = round(security.price * (0.8 + rng.next() * 0.28), decimals === 4 ? 4 : 2);
      const cents = Math.round((part / scale) * price * 100);
      return {
        date: dates[i] ?? today - 30 * DAY_MS,
        type,
        description: `${label} ${security.short}`,
        steps: part,
        price,
        cents,
        feeCents: type === 'BUY' ? Math.max(800, Math.round(cents * 0.001)) : 0,
      };
    });
  };
  const pensionLots = (security: Security): Lot[] => {
    const lots: Lot[] = [];
    const transferCents = rng.cents(5000, 30000);
    const transferPrice = round(security.price * (0.78 + rng.next() * 0.1), 4);
    lots.push({
      date: today - rng.int(300, 700) * DAY_MS,
      type: 'TRANSFER_IN',
      description: `TRASPASO ENTRADA ${security.short}`,
      steps: Math.round((transferCents / 100 / transferPrice) * 10_000),
      price: transferPrice,
      cents: transferCents,
      feeCents: 0,
    });
    for (const date of ppDates) {
      const price = round(security.price * (0.92 + rng.next() * 0.1), 4);
      lots.push({
        date,
        type: 'CONTRIBUTION',
        description: `APORTACION PERIODICA ${security.short}`,
        steps: Math.round((ppMonthly / 100 / price) * 10_000),
        price,
        cents: ppMonthly,
        feeCents: 0,
      });
    }
    return lots;
  };

  const pensionPlan = rng.pick(PENSION_PLANS);
  const portfolioSpecs: {
    type: Portfolio['type'];
    name: string;
    taxType: string;
    holdings: Holding[];
    accounts: string[];
  }[] = [
    {
      type: 'F',
      name: 'Cartera Fondos de Inversión',
      taxType: 'FONDOS_TRASPASABLES',
      accounts: [mainIban],
      holdings: rng.sample(FUNDS, rng.int(2, 4)).map((security) => ({
        security,
        type: 'F',
        decimals: 4,
        lots: lotsOf(security, 4, rng.cents(2000, 35000), 'SUSCRIPCION', 'SUBSCRIPTION'),
      })),
    },
    {
      type: 'S',
      name: 'Depósito de Valores',
      taxType: 'GENERAL',
      accounts: [mainIban],
      holdings: rng.sample(EQUITIES, rng.int(3, 5)).map((security) => ({
        security,
        type: 'VI',
        decimals: 0,
        lots: lotsOf(security, 0, rng.cents(800, 12000), 'COMPRA', 'BUY'),
      })),
    },
    {
      type: 'PP',
      name: 'Planes de Pensiones',
      taxType: 'PLAN_PENSIONES',
      accounts: [mainIban],
      holdings: [pensionPlan].map(
        (security): Holding => ({ security, type: 'PP', decimals: 4, lots: pensionLots(security) }),
      ),
    },
    {
      type: 'MIX',
      name: 'Cartera ETFs y Renta Fija',
      taxType: 'GENERAL',
      accounts: [mainIban, savingsIban],
      holdings: [
        ...rng.sample(ETFS, rng.int(1, 2)).map(
          (security): Holding => ({
            security,
            type: 'ETF',
            decimals: 0,
            lots: lotsOf(security, 0, rng.cents(3000, 30000), 'COMPRA', 'BUY'),
          }),
        ),
        ...rng.sample(BONDS, 1).map(
          (security): Holding => ({
            security,
            type: 'FI',
            decimals: 0,
            lots: lotsOf(security, 0, rng.int(2, 10) * security.price * 100, 'COMPRA', 'BUY'),
          }),
        ),
      ],
    },
  ];

  for (const spec of portfolioSpecs) {
    const ref = refValores();
    const portfolioId = id(`portfolio:${ref}`);
    let portfolioCents = 0;
    for (const { security, type, decimals, lots } of spec.holdings) {
      const code = securityIsin(security);
      const investmentId = id(`investment:${ref}:${code}`);
      const units = lots.reduce((sum, lot) => sum + lot.steps, 0) / 10 ** decimals;
      const balanceCents = Math.round(units * security.price * 100);
      portfolioCents += balanceCents;
      investments.push({
        _id: investmentId,
        name: security.name,
        isin: code,
        portfolio_id: portfolioId,
        type,
        amount: units,
        price: security.price,
        price_date: isoDate(today - DAY_MS),
        balance: euros(balanceCents),
        cost: euros(lots.reduce((sum, lot) => sum + lot.cents + lot.feeCents, 0)),
        currency: 'EUR',
        entity,
        external_id: externalId(`investment:${ref}:${code}`),
        updated_at_timestamp: updatedAt,
      });
      const history = [...lots];
      if (type === 'VI' && rng.chance(0.8)) {
        const first = lots[0]?.date ?? today;
        const date = first + rng.int(20, Math.max(21, Math.floor((today - first) / DAY_MS) - 1)) * DAY_MS;
        const held = lots.filter((lot) => lot.date < date).reduce((sum, lot) => sum + lot.steps, 0);
        if (date < today && held > 0) {
          const perShare = security.price * (0.015 + rng.next() * 0.02);
          history.push({
            date,
            type: 'DIVIDEND',
            description: `DIVIDENDO ${security.short}`,
            steps: 0,
            price: null,
            cents: Math.round(held * perShare * 100),
            feeCents: 0,
          });
        }
      }
      history.sort((a, b) => a.date - b.date);
      history.forEach((lot, i) => {
        investmentTransactions.push({
          _id: id(`investment-tx:${investmentId}:${i}`),
          investment_id: investmentId,
          portfolio_id: portfolioId,
          refValores: ref,
          isin: code,
          name: security.name,
          type: lot.type,
          description: lot.description,
          shares: lot.steps / 10 ** decimals,
          price: lot.price,
          amount: euros(lot.type === 'DIVIDEND' ? lot.cents : -lot.cents),
          fees: euros(lot.feeCents),
          currency: 'EUR',
          operationDate: isoDate(lot.date),
          valueDate: isoDate(
            lot.type === 'SUBSCRIPTION' || lot.type === 'BUY' ? lot.date + 2 * DAY_MS : lot.date,
          ),
          entity,
        });
      });
    }
    portfolios.push({
      _id: portfolioId,
      name: spec.name,
      type: spec.type,
      tax_type: spec.taxType,
      currency: 'EUR',
      refValores: ref,
      refAccount: mainIban,
      refAccounts: spec.accounts,
      owners: [holder.name],
      balance: euros(portfolioCents),
      entity,
      external_id: externalId(`portfolio:${ref}`),
      updated_at_timestamp: updatedAt,
    });
  }
  investmentTransactions.sort((a, b) => b.operationDate.localeCompare(a.operationDate));

  // Running balances: replay oldest first from an opening balance that never lets the account
  // dip below a plausible floor, then list newest first as banks do.
  const ledger = (
    events: CashEvent[],
    accountId: string,
    alias: string,
    floorCents: number,
  ): { transactions: AccountTransaction[]; closingCents: number } => {
    const ordered = events
      .map((event, order) => ({ event, order }))
      .sort((a, b) => a.event.date - b.event.date || a.order - b.order);
    let running = 0;
    let lowest = 0;
    for (const { event } of ordered) {
      running += event.cents;
      lowest = Math.min(lowest, running);
    }
    let balance = floorCents - lowest;
    const transactions = ordered.map(({ event }, i): AccountTransaction => {
      balance += event.cents;
      return {
        _id: id(`account-tx:${accountId}:${i}`),
        account_id: accountId,
        amount: euros(event.cents),
        balance: euros(balance),
        currency: 'EUR',
        operationDate: isoDate(event.date),
        valueDate: isoDate(event.date),
        description: event.description,
        category: event.category,
        productDescription: alias,
        entity,
        ...(event.transfer ? { transfer: event.transfer } : {}),
      };
    });
    return { transactions: transactions.reverse(), closingCents: balance };
  };
  const main = ledger(mainEvents, mainAccountId, 'Cuenta Nómina', rng.cents(600, 4000));
  const savings = ledger(savingsEvents, savingsAccountId, 'Cuenta Ahorro', rng.cents(4000, 25000));
  const accounts: Account[] = [
    {
      _id: id(`account-product:${mainIban}`),
      account_id: mainAccountId,
      iban: mainIban,
      alias: 'Cuenta Nómina',
      balance: euros(main.closingCents),
      currency: 'EUR',
      description: 'CUENTA NOMINA',
      entity,
      isOwner: true,
      numOwners: 1,
      owners: [holder.name],
      type: 'cashAccount',
    },
    {
      _id: id(`account-product:${savingsIban}`),
      account_id: savingsAccountId,
      iban: savingsIban,
      alias: 'Cuenta Ahorro',
      balance: euros(savings.closingCents),
      currency: 'EUR',
      description: 'CUENTA AHORRO REMUNERADA',
      entity,
      isOwner: true,
      numOwners: 2,
      owners: [holder.name, partner.name],
      type: 'cashAccount',
    },
  ];
  const accountTransactions = [...main.transactions, ...savings.transactions].sort((a, b) =>
    b.operationDate.localeCompare(a.operationDate),
  );

  const owner = (productId: string, who: Person, rel: Holder['rel'] = 'Titular'): Holder => ({
    product_id: productId,
    rel,
    name: who.name,
    document_id: who.documentId,
  });
  const holders: Holder[] = [
    owner(mainAccountId, holder),
    owner(mainAccountId, partner, 'Autorizado'),
    owner(savingsAccountId, holder),
    owner(savingsAccountId, partner),
    owner(cardId, holder),
    owner(liabilityId, holder),
    owner(liabilityId, partner),
    ...portfolios.map((p) => owner(p._id, holder)),
  ];

  const identity: Identity = {
    _id: id('identity'),
    name: holder.name,
    document_id: holder.documentId,
    contactInfo: {
      email: `${stripAccents(`${holder.first}.${holder.surnames[0]}`).toLowerCase()}${rng.int(10, 99)}@${rng.pick(['gmail.com', 'hotmail.com', 'yahoo.es', 'outlook.es'])}`,
      phone: `+34 6${rng.digits(2)} ${rng.digits(3)} ${rng.digits(3)}`,
    },
    address: {
      street: `${rng.pick(place.streets)}, ${rng.int(1, 180)}, ${rng.int(1, 8)}º ${rng.pick(['A', 'B', 'C', 'D', 'Izda.', 'Dcha.'])}`,
      postalCode: `${place.postalPrefix}${rng.digits(2)}`,
      city: place.city,
      province: place.province,
      country: 'ES',
    },
  };

  const dates = [...accountTransactions, ...cardTransactions].map((t) => t.operationDate).sort();
  return {
    identity,
    holders,
    accounts,
    accountTransactions,
    portfolios,
    investments,
    investmentTransactions,
    liabilities: [liability],
    liabilityTransactions: liabilityTransactions.reverse(),
    cards: [card],
    cardTransactions,
    lastTransactionDate: dates.at(-1) ?? isoDate(today),
  };
}

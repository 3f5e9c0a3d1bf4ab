import * as z from 'zod/mini';
import type { APIPromise } from '../core/api-promise';
import type { RequestOptions } from '../core/request-options';
import { checkRequestOptions, optionalBoolean, optionalObject, requireString } from '../internal/args';
import { many, one, type ResponseShape } from '../internal/validate';
import { Resource } from './shared';

/*
 * Data model. Only Portfolio is fully documented; the other shapes are pieced together from partial
 * docs and third-party fixtures (docs/api-notes.md), so every field is optional and nullable (the SDK
 * reads none of them, and no SDK method takes these ids), every object keeps unknown fields, numbers
 * may come as numeric strings (they are returned as numbers), and enum-like fields are plain strings
 * (known values are listed in the field docs and in the exported code tables) so a new Flanks code
 * never crashes.
 */

const str = z.optional(z.nullable(z.string()));
const num = z.optional(z.nullable(z.number()));
const bool = z.optional(z.nullable(z.boolean()));
const strings = z.optional(z.nullable(z.array(z.string())));

/**
 * Portfolio `type` codes (see also {@link INVESTMENT_TYPES}): `M` managed, `UM` unmanaged, `MIX`
 * mixed holdings, and one code per investment type it holds (`S` holds `VI` equities).
 *
 * @example
 * ```ts
 * const label = PORTFOLIO_TYPES[portfolio.type as keyof typeof PORTFOLIO_TYPES] ?? portfolio.type;
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export const PORTFOLIO_TYPES = {
  M: 'Managed',
  UM: 'Unmanaged',
  MIX: 'Mixed',
  F: 'Funds',
  S: 'Equities',
  PP: 'Pension plans',
  FI: 'Fixed income',
  C: 'Crypto',
  ETF: 'ETFs',
  CFD: 'CFDs',
  L: 'Liquidity',
  O: 'Other',
  DV: 'Derivatives',
  BP: 'Bank products',
  AEP: 'Alternative and emerging',
} as const;

/**
 * Investment `type` codes.
 *
 * @example
 * ```ts
 * const label = INVESTMENT_TYPES[investment.type as keyof typeof INVESTMENT_TYPES] ?? investment.type;
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export const INVESTMENT_TYPES = {
  F: 'Funds',
  VI: 'Equities',
  PP: 'Pension plan',
  FI: 'Fixed income',
  C: 'Crypto',
  ETF: 'ETF',
  CFD: 'Contract for difference',
  L: 'Liquidity',
  O: 'Other',
  DV: 'Derivatives',
  BP: 'Bank products',
  AEP: 'Alternative and emerging',
} as const;

/**
 * A portfolio (securities account) as returned by `aggregation.portfolios`.
 *
 * @example
 * ```ts
 * for (const p of await flanks.aggregation.portfolios(token)) console.log(p.name, p.type, p.balance, p.currency);
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export const PortfolioSchema = z.looseObject({
  /** Unique id, derived from the credentials token and `refValores`. */
  _id: str,
  name: str,
  /** Portfolio type code, see {@link PORTFOLIO_TYPES}. */
  type: str,
  /** Fiscal wrapper; values depend on the country. */
  tax_type: str,
  currency: str,
  /** The bank's number for the securities account. */
  refValores: str,
  /** IBAN of the main linked cash account. */
  refAccount: str,
  /** IBANs of all linked cash accounts (documented as a string; may come as a list). */
  refAccounts: z.optional(z.nullable(z.union([z.string(), z.array(z.string())]))),
  owners: strings,
  /** Current valuation in `currency`. */
  balance: num,
  entity: str,
  external_id: str,
  /** Last refresh, epoch (the docs do not state seconds or ms). */
  updated_at_timestamp: num,
});
/**
 * A portfolio (securities account).
 *
 * @example
 * ```ts
 * // Add in cents: adding the floats themselves can give 145694.91999999998 for 145694.92.
 * const total = (await flanks.aggregation.portfolios(token)).reduce((c, p) => c + Math.round((p.balance ?? 0) * 100), 0) / 100;
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export type Portfolio = z.infer<typeof PortfolioSchema>;

/**
 * A position held in a portfolio.
 *
 * @example
 * ```ts
 * const byIsin = new Map((await flanks.aggregation.investments(token)).map((i) => [i.isin, i]));
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export const InvestmentSchema = z.looseObject({
  _id: str,
  name: str,
  isin: str,
  /** Investment type code, see {@link INVESTMENT_TYPES}. */
  type: str,
  subtype: str,
  portfolio_id: str,
  /** Units held. */
  amount: num,
  balance: num,
  currency: str,
  entity: str,
  external_id: str,
  updated_at_timestamp: num,
});
/**
 * A position held in a portfolio.
 *
 * @example
 * ```ts
 * const funds = (await flanks.aggregation.investments(token)).filter((i: Investment) => i.type === 'F');
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export type Investment = z.infer<typeof InvestmentSchema>;

/**
 * The two sides of a transfer, on an account transaction. Older API generations wrote
 * `ordenant` / `ibanOrdenant` for the payer.
 *
 * @example
 * ```ts
 * const incoming = (await flanks.aggregation.accountTransactions(token)).filter((t) => t.transfer?.ibanBeneficiary === myIban);
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export const TransferSchema = z.looseObject({
  payer: str,
  ibanPayer: str,
  beneficiary: str,
  ibanBeneficiary: str,
  ordenant: str,
  ibanOrdenant: str,
});
/**
 * The two sides of a transfer.
 *
 * @example
 * ```ts
 * const from: string | null | undefined = (tx.transfer as Transfer | undefined)?.payer;
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export type Transfer = z.infer<typeof TransferSchema>;

/**
 * A transaction (account, card, investment or liability). Field names differ between Flanks API
 * generations (`operationDate` / `dateOperation`, `valueDate` / `dateValue`); both are typed.
 *
 * @example
 * ```ts
 * const outflows = (await flanks.aggregation.accountTransactions(token)).filter((t) => (t.amount ?? 0) < 0);
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export const TransactionSchema = z.looseObject({
  _id: str,
  account_id: str,
  card_id: str,
  investment_id: str,
  liability_id: str,
  /** Signed amount; negative is an outflow. */
  amount: num,
  balance: num,
  currency: str,
  description: str,
  /** The product's own description of the movement. */
  productDescription: str,
  category: str,
  operationDate: str,
  valueDate: str,
  /** Older API generations: `dateOperation`, `dateValue`, and `expense` (true for an outflow). */
  dateOperation: str,
  dateValue: str,
  expense: bool,
  /** The (masked) card of a card payment. */
  cardNumber: str,
  /** Investment transactions: the securities account. */
  refValores: str,
  /** Payer and beneficiary of a transfer. */
  transfer: z.optional(z.nullable(TransferSchema)),
  entity: str,
});
/**
 * An account, card, investment or liability transaction.
 *
 * @example
 * ```ts
 * const last: Transaction | undefined = (await flanks.aggregation.accountTransactions(token)).at(-1);
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export type Transaction = z.infer<typeof TransactionSchema>;

/**
 * A cash account.
 *
 * @example
 * ```ts
 * for (const a of await flanks.aggregation.accounts(token)) console.log(a.iban, a.balance);
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export const AccountSchema = z.looseObject({
  _id: str,
  account_id: str,
  iban: str,
  alias: str,
  description: str,
  /** `cashAccount`, `safekeepingAccount`, `nostroAccount`, `vostroAccount` or `other`. */
  type: str,
  balance: num,
  currency: str,
  entity: str,
  isOwner: bool,
  numOwners: num,
  owners: strings,
});
/**
 * A cash account.
 *
 * @example
 * ```ts
 * const ibans = (await flanks.aggregation.accounts(token)).map((a: Account) => a.iban);
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export type Account = z.infer<typeof AccountSchema>;

/**
 * A liability (loan, credit line …).
 *
 * @example
 * ```ts
 * const debt = (await flanks.aggregation.liabilities(token)).reduce((c, l) => c + Math.round((l.balance ?? 0) * 100), 0) / 100; // in cents: exact
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export const LiabilitySchema = z.looseObject({
  _id: str,
  liability_id: str,
  /** `Credit`, `Loan`, `Confirming`, … */
  type: str,
  balance: num,
  currency: str,
  description: str,
  entity: str,
});
/**
 * A liability such as a loan.
 *
 * @example
 * ```ts
 * const loans = (await flanks.aggregation.liabilities(token)).filter((l: Liability) => l.type === 'Loan');
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export type Liability = z.infer<typeof LiabilitySchema>;

/**
 * A payment card; `pan` is masked except for the last 4 digits.
 *
 * @example
 * ```ts
 * const cards = await flanks.aggregation.cards(token);
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export const CardSchema = z.looseObject({
  _id: str,
  card_id: str,
  pan: str,
  balance: num,
  currency: str,
  entity: str,
});
/**
 * A payment card.
 *
 * @example
 * ```ts
 * const pans = (await flanks.aggregation.cards(token)).map((c: Card) => c.pan);
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export type Card = z.infer<typeof CardSchema>;

/**
 * A holder of a product and their relation to it (`rel`: `Titular`, `Autorizado`, …).
 *
 * @example
 * ```ts
 * const owners = (await flanks.aggregation.holders(token)).filter((h) => h.rel === 'Titular');
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export const HolderSchema = z.looseObject({
  product_id: str,
  rel: str,
  name: str,
});
/**
 * A product holder.
 *
 * @example
 * ```ts
 * const names = (await flanks.aggregation.holders(token)).map((h: Holder) => h.name);
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export type Holder = z.infer<typeof HolderSchema>;

/**
 * The identity behind the bank login (`POST /v0/bank/credentials/auth`). A single object, which
 * may be empty.
 *
 * @example
 * ```ts
 * const me = await flanks.aggregation.identity(token);
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export const IdentitySchema = z.looseObject({
  _id: str,
  contactInfo: z.optional(z.nullable(z.unknown())),
  address: z.optional(z.nullable(z.unknown())),
});
/**
 * The identity behind a bank login.
 *
 * @example
 * ```ts
 * const identity: Identity = await flanks.aggregation.identity(token);
 * ```
 * @see https://docs.flanks.io/pages/data-model
 */
export type Identity = z.infer<typeof IdentitySchema>;

/**
 * Filters of an Aggregation call. Flanks does not document the fields; `account_id` (array) and a
 * date range have been seen in the wild. Anything you pass is sent as is.
 *
 * @example
 * ```ts
 * await flanks.aggregation.accountTransactions(token, { query: { account_id: [id], date_from: '2026-01-01' } });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
 */
export interface AggregationQuery {
  account_id?: string[];
  date_from?: string;
  date_to?: string;
  [key: string]: unknown;
}

/**
 * Options of every Aggregation fetcher.
 *
 * @example
 * ```ts
 * await flanks.aggregation.accounts(token, { ignoreDataError: true, timeoutMs: 60_000 });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
 */
export interface AggregationOptions extends RequestOptions {
  query?: AggregationQuery | undefined;
  /** Return the last stored data instead of a `FlanksDataError` when extraction failed. */
  ignoreDataError?: boolean | undefined;
}

/**
 * The Aggregation API: the data Flanks extracted for a credential. Every fetcher returns Flanks'
 * last stored snapshot (refreshed about daily), validated and typed.
 *
 * Throws `FlanksDataNotReadyError` while the data type is still being extracted (wait with
 * `credentials.waitUntilReady`) and `FlanksDataError` when extraction failed.
 *
 * @example
 * ```ts
 * const [portfolios, investments] = await Promise.all([
 *   flanks.aggregation.portfolios(token),
 *   flanks.aggregation.investments(token),
 * ]);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
 */
export class Aggregation extends Resource {
  /**
   * Portfolios (securities accounts) with their valuation.
   * @example
   * ```ts
   * const portfolios = await flanks.aggregation.portfolios(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
   */
  portfolios(credentialsToken: string, options?: AggregationOptions): APIPromise<Portfolio[]> {
    return this.#fetch('portfolio', many('Portfolio', PortfolioSchema), credentialsToken, options);
  }

  /**
   * Investments (positions) across portfolios.
   * @example
   * ```ts
   * const investments = await flanks.aggregation.investments(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
   */
  investments(credentialsToken: string, options?: AggregationOptions): APIPromise<Investment[]> {
    return this.#fetch('investment', many('Investment', InvestmentSchema), credentialsToken, options);
  }

  /**
   * Investment transactions (buys, sells, dividends …).
   * @example
   * ```ts
   * const moves = await flanks.aggregation.investmentTransactions(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
   */
  investmentTransactions(credentialsToken: string, options?: AggregationOptions): APIPromise<Transaction[]> {
    return this.#fetch('investment/transaction', TRANSACTIONS, credentialsToken, options);
  }

  /**
   * Cash accounts.
   * @example
   * ```ts
   * const accounts = await flanks.aggregation.accounts(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
   */
  accounts(credentialsToken: string, options?: AggregationOptions): APIPromise<Account[]> {
    return this.#fetch('account', many('Account', AccountSchema), credentialsToken, options);
  }

  /**
   * Cash account transactions (`POST /v0/bank/credentials/data`).
   * @example
   * ```ts
   * const txs = await flanks.aggregation.accountTransactions(token, { query: { account_id: [accountId] } });
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
   */
  accountTransactions(credentialsToken: string, options?: AggregationOptions): APIPromise<Transaction[]> {
    return this.#fetch('data', TRANSACTIONS, credentialsToken, options);
  }

  /**
   * Liabilities (loans, credit lines).
   * @example
   * ```ts
   * const loans = await flanks.aggregation.liabilities(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
   */
  liabilities(credentialsToken: string, options?: AggregationOptions): APIPromise<Liability[]> {
    return this.#fetch('liability', many('Liability', LiabilitySchema), credentialsToken, options);
  }

  /**
   * Liability transactions (instalments, drawdowns).
   * @example
   * ```ts
   * const instalments = await flanks.aggregation.liabilityTransactions(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
   */
  liabilityTransactions(credentialsToken: string, options?: AggregationOptions): APIPromise<Transaction[]> {
    return this.#fetch('liability/transaction', TRANSACTIONS, credentialsToken, options);
  }

  /**
   * Payment cards.
   * @example
   * ```ts
   * const cards = await flanks.aggregation.cards(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
   */
  cards(credentialsToken: string, options?: AggregationOptions): APIPromise<Card[]> {
    return this.#fetch('card', many('Card', CardSchema), credentialsToken, options);
  }

  /**
   * Card transactions.
   * @example
   * ```ts
   * const spending = await flanks.aggregation.cardTransactions(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
   */
  cardTransactions(credentialsToken: string, options?: AggregationOptions): APIPromise<Transaction[]> {
    return this.#fetch('card/transaction', TRANSACTIONS, credentialsToken, options);
  }

  /**
   * Holders of each product and their relation to it.
   * @example
   * ```ts
   * const holders = await flanks.aggregation.holders(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
   */
  holders(credentialsToken: string, options?: AggregationOptions): APIPromise<Holder[]> {
    return this.#fetch('holder', many('Holder', HolderSchema), credentialsToken, options);
  }

  /**
   * Identity of the bank login's owner: a single object (possibly empty).
   * @example
   * ```ts
   * const identity = await flanks.aggregation.identity(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
   */
  identity(credentialsToken: string, options?: AggregationOptions): APIPromise<Identity> {
    // Path assumed without the trailing slash a third-party client uses (`auth/`); Flanks' other
    // v0 paths have none.
    return this.#fetch('auth', one('Identity', IdentitySchema), credentialsToken, options);
  }

  #fetch<T>(
    kind: string,
    shape: ResponseShape<T>,
    credentialsToken: string,
    options: AggregationOptions | undefined,
  ): APIPromise<T> {
    return this.call(async (call) => {
      const token = requireString(credentialsToken, 'credentialsToken');
      const o = checkRequestOptions(options) as AggregationOptions;
      const query = optionalObject(o.query, 'options.query');
      const ignoreDataError = optionalBoolean(o.ignoreDataError, 'options.ignoreDataError');
      const { data } = await call.request({
        method: 'POST',
        path: `/v0/bank/credentials/${kind}`,
        body: {
          credentials_token: token,
          ...(query !== undefined ? { query } : {}),
          ...(ignoreDataError !== undefined ? { ignore_data_error: ignoreDataError } : {}),
        },
        idempotent: true,
        secrets: [token],
        response: shape,
        options: o,
      });
      return data;
    });
  }
}

const TRANSACTIONS = many('Transaction', TransactionSchema);

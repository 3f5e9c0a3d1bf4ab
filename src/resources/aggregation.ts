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
 * Portfolio `type` codes: `M` managed, `UM` unmanaged, `MIX` mixed holdings, or the kind of investment
 * it holds (`S` holds equities, {@link INVESTMENT_TYPES} `VI`). Other codes may appear.
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

/** Investment `type` codes. Other codes may appear. */
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
 * A portfolio (securities account) with its valuation.
 * @example
 * // Add in cents: adding the floats themselves can give 145694.91999999998 for 145694.92.
 * const total = (await flanks.aggregation.portfolios(token)).reduce((c, p) => c + Math.round((p.balance ?? 0) * 100), 0) / 100;
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
/** A portfolio, the type of {@link PortfolioSchema}. */
export type Portfolio = z.infer<typeof PortfolioSchema>;

/** A position held in a portfolio. */
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
/** A position, the type of {@link InvestmentSchema}. */
export type Investment = z.infer<typeof InvestmentSchema>;

/** The two sides of a transfer; older API generations name the payer `ordenant` / `ibanOrdenant`. */
export const TransferSchema = z.looseObject({
  payer: str,
  ibanPayer: str,
  beneficiary: str,
  ibanBeneficiary: str,
  ordenant: str,
  ibanOrdenant: str,
});
/** The two sides of a transfer, the type of {@link TransferSchema}. */
export type Transfer = z.infer<typeof TransferSchema>;

/** A transaction of an account, card, investment or liability. */
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
  /** Older API generations send `dateOperation` and `dateValue` instead, and `expense` (true for an outflow). */
  dateOperation: str,
  dateValue: str,
  expense: bool,
  /** The (masked) card of a card payment. */
  cardNumber: str,
  /** Investment transactions: the securities account. */
  refValores: str,
  transfer: z.optional(z.nullable(TransferSchema)),
  entity: str,
});
/** A transaction, the type of {@link TransactionSchema}. */
export type Transaction = z.infer<typeof TransactionSchema>;

/** A cash account. */
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
/** A cash account, the type of {@link AccountSchema}. */
export type Account = z.infer<typeof AccountSchema>;

/** A liability (loan, credit line …). */
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
/** A liability, the type of {@link LiabilitySchema}. */
export type Liability = z.infer<typeof LiabilitySchema>;

/** A payment card; `pan` is masked except for the last 4 digits. */
export const CardSchema = z.looseObject({
  _id: str,
  card_id: str,
  pan: str,
  balance: num,
  currency: str,
  entity: str,
});
/** A payment card, the type of {@link CardSchema}. */
export type Card = z.infer<typeof CardSchema>;

/** A holder of a product and their relation to it (`rel`: `Titular`, `Autorizado`, …). */
export const HolderSchema = z.looseObject({
  product_id: str,
  rel: str,
  name: str,
});
/** A product holder, the type of {@link HolderSchema}. */
export type Holder = z.infer<typeof HolderSchema>;

/** The identity behind a bank login. */
export const IdentitySchema = z.looseObject({
  _id: str,
  contactInfo: z.optional(z.nullable(z.unknown())),
  address: z.optional(z.nullable(z.unknown())),
});
/** The identity behind a bank login, the type of {@link IdentitySchema}. */
export type Identity = z.infer<typeof IdentitySchema>;

/** Filters of an Aggregation call, sent as is (undocumented; `account_id` and a date range are seen). */
export interface AggregationQuery {
  account_id?: string[];
  date_from?: string;
  date_to?: string;
  [key: string]: unknown;
}

/**
 * Options of every Aggregation fetcher.
 * @example
 * const options: AggregationOptions = { query: { date_from: '2026-01-01' }, ignoreDataError: true, timeoutMs: 60_000 };
 */
export interface AggregationOptions extends RequestOptions {
  query?: AggregationQuery | undefined;
  /** Return the last stored data instead of a `FlanksDataError` when extraction failed. */
  ignoreDataError?: boolean | undefined;
}

/**
 * The Aggregation API: the data Flanks extracted for a credential at its last (about daily) refresh,
 * validated and typed. Flanks describes the fields on its [data model page](https://docs.flanks.io/pages/data-model).
 *
 * Throws `FlanksDataNotReadyError` while the data type is still being extracted (wait with
 * `credentials.waitUntilReady`) and `FlanksDataError` when extraction failed.
 * @example
 * const { aggregation } = flanks;
 * const [portfolios, accounts] = await Promise.all([aggregation.portfolios(token), aggregation.accounts(token)]);
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api
 */
export class Aggregation extends Resource {
  /**
   * Portfolios (securities accounts) with their valuation.
   * @example const portfolios = await flanks.aggregation.portfolios(token);
   */
  portfolios(credentialsToken: string, options?: AggregationOptions): APIPromise<Portfolio[]> {
    return this.#fetch('portfolio', many('Portfolio', PortfolioSchema), credentialsToken, options);
  }

  /**
   * Investments (positions) across portfolios.
   * @example const funds = (await flanks.aggregation.investments(token)).filter((i) => i.type === 'F');
   */
  investments(credentialsToken: string, options?: AggregationOptions): APIPromise<Investment[]> {
    return this.#fetch('investment', many('Investment', InvestmentSchema), credentialsToken, options);
  }

  /**
   * Investment transactions (buys, sells, dividends …).
   * @example const moves = await flanks.aggregation.investmentTransactions(token);
   */
  investmentTransactions(credentialsToken: string, options?: AggregationOptions): APIPromise<Transaction[]> {
    return this.#fetch('investment/transaction', TRANSACTIONS, credentialsToken, options);
  }

  /**
   * Cash accounts.
   * @example const ibans = (await flanks.aggregation.accounts(token)).map((a) => a.iban);
   */
  accounts(credentialsToken: string, options?: AggregationOptions): APIPromise<Account[]> {
    return this.#fetch('account', many('Account', AccountSchema), credentialsToken, options);
  }

  /**
   * Cash account transactions (`POST /v0/bank/credentials/data`).
   * @example const txs = await flanks.aggregation.accountTransactions(token, { query: { account_id: [id] } });
   */
  accountTransactions(credentialsToken: string, options?: AggregationOptions): APIPromise<Transaction[]> {
    return this.#fetch('data', TRANSACTIONS, credentialsToken, options);
  }

  /**
   * Liabilities (loans, credit lines).
   * @example const loans = (await flanks.aggregation.liabilities(token)).filter((l) => l.type === 'Loan');
   */
  liabilities(credentialsToken: string, options?: AggregationOptions): APIPromise<Liability[]> {
    return this.#fetch('liability', many('Liability', LiabilitySchema), credentialsToken, options);
  }

  /**
   * Liability transactions (instalments, drawdowns).
   * @example const instalments = await flanks.aggregation.liabilityTransactions(token);
   */
  liabilityTransactions(credentialsToken: string, options?: AggregationOptions): APIPromise<Transaction[]> {
    return this.#fetch('liability/transaction', TRANSACTIONS, credentialsToken, options);
  }

  /**
   * Payment cards.
   * @example const cards = await flanks.aggregation.cards(token);
   */
  cards(credentialsToken: string, options?: AggregationOptions): APIPromise<Card[]> {
    return this.#fetch('card', many('Card', CardSchema), credentialsToken, options);
  }

  /**
   * Card transactions.
   * @example const spending = await flanks.aggregation.cardTransactions(token);
   */
  cardTransactions(credentialsToken: string, options?: AggregationOptions): APIPromise<Transaction[]> {
    return this.#fetch('card/transaction', TRANSACTIONS, credentialsToken, options);
  }

  /**
   * Holders of each product and their relation to it.
   * @example const owners = (await flanks.aggregation.holders(token)).filter((h) => h.rel === 'Titular');
   */
  holders(credentialsToken: string, options?: AggregationOptions): APIPromise<Holder[]> {
    return this.#fetch('holder', many('Holder', HolderSchema), credentialsToken, options);
  }

  /**
   * Identity of the bank login's owner (`POST /v0/bank/credentials/auth`): one object, possibly empty.
   * @example const identity = await flanks.aggregation.identity(token);
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

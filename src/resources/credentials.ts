import * as z from 'zod/mini';
import type { APIPromise } from '../core/api-promise';
import {
  FlanksCredentialsBlockedError,
  FlanksScaRequiredError,
  type FlanksUserActionRequiredError,
  FlanksValidationError,
  type ReauthToken,
} from '../core/errors';
import { Paginator } from '../core/pagination';
import { type PollOptions, poll } from '../core/polling';
import type { RequestOptions } from '../core/request-options';
import {
  argumentError,
  checkPollOptions,
  checkRequestOptions,
  onlyKnownKeys,
  optionalArrayOf,
  optionalFunction,
  optionalNumber,
  optionalObject,
  optionalOneOf,
  requireString,
} from '../internal/args';
import { numericValue } from '../internal/shape';
import { one } from '../internal/validate';
import { type ActionResult, ActionResultSchema, expectObject, Resource } from './shared';

// ---------------------------------------------------------------------------------------------
// Schemas and types
// ---------------------------------------------------------------------------------------------

/**
 * Product kinds tracked by the status' `created` / `errored` flags. Each maps to an Aggregation
 * fetcher: `auth` → identity, `holders` → holders, the rest by name.
 *
 * @example
 * ```ts
 * await flanks.credentials.waitUntilReady(token, { products: ['portfolio', 'investment'] });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export const PRODUCT_KINDS = [
  'auth',
  'account',
  'card',
  'portfolio',
  'investment',
  'liability',
  'holders',
] as const;
/**
 * A product kind tracked by the status flags.
 *
 * @example
 * ```ts
 * const wanted: ProductKind[] = ['portfolio', 'investment'];
 * await flanks.credentials.waitUntilReady(token, { products: wanted });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export type ProductKind = (typeof PRODUCT_KINDS)[number];

/**
 * Transaction kinds tracked by the status' `created.transactions` / `errored.transactions` flags.
 *
 * @example
 * ```ts
 * await flanks.credentials.waitUntilReady(token, { transactions: ['account'] });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export const TRANSACTION_KINDS = ['account', 'card', 'investment', 'liability'] as const;
/**
 * A transaction kind tracked by the status flags.
 *
 * @example
 * ```ts
 * const wanted: TransactionKind[] = ['account'];
 * await flanks.credentials.waitUntilReady(token, { transactions: wanted });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

// Flags are optional and unknown kinds pass through: Flanks adds product kinds over time.
const flags = <K extends string>(keys: readonly K[]) =>
  z.looseObject(
    Object.fromEntries(keys.map((k) => [k, z.optional(z.nullable(z.boolean()))])) as Record<
      K,
      z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniBoolean>>
    >,
  );

/*
 * Archived versions of the Credentials API page disagree on the sub-key: some say `transaction`,
 * others `transactions`. Both are accepted; read them with `credentialState()` or the SDK's wait
 * helpers, which look at either.
 */
const StatusFlagsSchema = z.looseObject({
  product: z.optional(flags(PRODUCT_KINDS)),
  transactions: z.optional(flags(TRANSACTION_KINDS)),
  transaction: z.optional(flags(TRANSACTION_KINDS)),
});

/**
 * The Credential Status object from `POST /v0/bank/credentials/status`.
 *
 * @example
 * ```ts
 * const status: CredentialStatus = await flanks.credentials.getStatus(token);
 * if (!status.pending && status.created?.product?.portfolio) fetchPortfolios();
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export const CredentialStatusSchema = z.looseObject({
  /**
   * `true` while the first extraction after the credential was created is running. Required:
   * `waitUntilReady` and `credentialState` decide on it; a status without it cannot be read.
   */
  pending: z.boolean(),
  /** `true` when Flanks can no longer log in with the stored details. */
  blocked: z.optional(z.nullable(z.boolean())),
  /** Set when the user must re-enter their bank credentials (or after `force('reset')`). Secret. */
  reset_token: z.optional(z.nullable(z.string())),
  /** Set when the bank asks for SCA again (or after `force('sca')`). Secret. */
  sca_token: z.optional(z.nullable(z.string())),
  /** Set after `force('transaction')`. Secret. */
  transaction_token: z.optional(z.nullable(z.string())),
  /** Date of the latest transaction retrieved, `YYYY-MM-DD`. */
  last_transaction_date: z.optional(z.nullable(z.string())),
  /** Bank identifier of the credential. */
  name: z.optional(z.nullable(z.string())),
  /** End of the last extraction: date (`YYYY-MM-DD`) and time (`HH:MM`, UTC). */
  last_update: z.optional(z.nullable(z.string())),
  time: z.optional(z.nullable(z.string())),
  last_update_timestamp: z.optional(z.nullable(z.number())),
  created_at_timestamp: z.optional(z.nullable(z.number())),
  /** Per data type: `true` once its extraction finished (with or without error). */
  created: z.optional(StatusFlagsSchema),
  /** Per data type: `true` if its extraction failed. */
  errored: z.optional(StatusFlagsSchema),
});
/**
 * The Credential Status object.
 *
 * @example
 * ```ts
 * const status: CredentialStatus = await flanks.credentials.getStatus(token);
 * if (status.blocked) askUserToReconnect();
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export type CredentialStatus = z.infer<typeof CredentialStatusSchema>;

/**
 * One item of `credentials.list()`. Known from a third-party client only; extra fields pass through.
 *
 * @example
 * ```ts
 * for await (const c of flanks.credentials.list()) console.log(c.bank, c.external_id, c.status);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export const CredentialListItemSchema = z.looseObject({
  /** Required: it is how every Credentials and Aggregation call names the credential. */
  credentials_token: z.string(),
  external_id: z.optional(z.nullable(z.string())),
  bank: z.optional(z.nullable(z.string())),
  status: z.optional(z.nullable(z.string())),
});
/**
 * One credential of `credentials.list()`.
 *
 * @example
 * ```ts
 * for await (const item of flanks.credentials.list()) console.log(item.credentials_token === token);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export type CredentialListItem = z.infer<typeof CredentialListItemSchema>;

/**
 * One page of `credentials.listPage(page)`; pages are numbered from 1.
 *
 * @example
 * ```ts
 * const { items, page, pages } = await flanks.credentials.listPage(1);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export const CredentialListPageSchema = z.looseObject({
  /** Required: `list()` pages through it (a bare array answer is read as `{ items }`). */
  items: z.array(CredentialListItemSchema),
  page: z.optional(z.nullable(z.number())),
  pages: z.optional(z.nullable(z.number())),
});
/**
 * One page of the credentials list.
 *
 * @example
 * ```ts
 * const page: CredentialListPage = await flanks.credentials.listPage(2);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export type CredentialListPage = z.infer<typeof CredentialListPageSchema>;

/**
 * Arguments of `credentials.list`.
 *
 * @example
 * ```ts
 * const params: CredentialListParams = { cursor: savedCursor }; // a page's nextCursor
 * for await (const credential of flanks.credentials.list(params)) console.log(credential.bank);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export interface CredentialListParams {
  /** Resume after the page whose `nextCursor` this is (a page number), instead of from the first page. */
  cursor?: number | undefined;
}

/**
 * What `credentials.force` asks Flanks for: a new SCA, a credential reset (re-enter the password), or
 * a deeper transaction fetch.
 *
 * @example
 * ```ts
 * const { reset_token } = await flanks.credentials.force(token, 'reset');
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export type ForceKind = 'sca' | 'reset' | 'transaction';
const FORCE_KINDS: readonly ForceKind[] = ['sca', 'reset', 'transaction'];

/**
 * Response of `credentials.force`: the token matching the kind forced. The exact shape is known
 * only from a third-party client; other fields pass through.
 *
 * @example
 * ```ts
 * const result: ForceResult = await flanks.credentials.force(token, 'sca');
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export const ForceResultSchema = z.looseObject({
  sca_token: z.optional(z.nullable(z.string())),
  reset_token: z.optional(z.nullable(z.string())),
  transaction_token: z.optional(z.nullable(z.string())),
});
/**
 * Response of `credentials.force`.
 *
 * @example
 * ```ts
 * const { reset_token }: ForceResult = await flanks.credentials.force(token, 'reset');
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export type ForceResult = z.infer<typeof ForceResultSchema>;

/**
 * The overall state of a credential derived from its status flags (Flanks has no state enum).
 *
 * @example
 * ```ts
 * const { state, errored } = credentialState(await flanks.credentials.getStatus(token));
 * if (state === 'needs_reset') askUserToReconnect();
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export interface CredentialStateSummary {
  state: 'pending' | 'needs_reset' | 'needs_sca' | 'partial_error' | 'ready';
  /** Data types whose extraction finished, e.g. `portfolio`, `transactions.account`. */
  created: string[];
  /** Data types whose extraction failed. */
  errored: string[];
}

const countOf = (value: unknown): number | undefined =>
  typeof value === 'number' ? value : typeof value === 'string' ? numericValue(value) : undefined;

function trueKeys(flagsObj: unknown, prefix = ''): string[] {
  if (!flagsObj || typeof flagsObj !== 'object') return [];
  return Object.entries(flagsObj)
    .filter(([, v]) => v === true)
    .map(([k]) => prefix + k);
}

function transactionFlags(f: CredentialStatus['created']): Record<string, unknown> | undefined {
  return f?.transactions ?? f?.transaction;
}

/**
 * Summarises a {@link CredentialStatus}: `needs_reset` (blocked or a reset token), `needs_sca`,
 * `pending` (first extraction running), `partial_error` (done, some data type failed) or `ready`.
 *
 * @example
 * ```ts
 * const summary = credentialState(status); // { state: 'ready', created: [...], errored: [] }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export function credentialState(status: CredentialStatus): CredentialStateSummary {
  const created = [
    ...trueKeys(status.created?.product),
    ...trueKeys(transactionFlags(status.created), 'transactions.'),
  ];
  const errored = [
    ...trueKeys(status.errored?.product),
    ...trueKeys(transactionFlags(status.errored), 'transactions.'),
  ];
  let state: CredentialStateSummary['state'];
  if (status.blocked === true || status.reset_token) state = 'needs_reset';
  else if (status.sca_token) state = 'needs_sca';
  else if (status.pending) state = 'pending';
  else state = errored.length > 0 ? 'partial_error' : 'ready';
  return { state, created, errored };
}

/**
 * Options of `credentials.waitUntilReady`.
 *
 * @example
 * ```ts
 * await flanks.credentials.waitUntilReady(token, {
 *   products: ['portfolio'],
 *   timeoutMs: 120_000,
 *   onStatus: (s, n) => console.log(`poll ${n}: pending=${s.pending}`),
 * });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export interface WaitUntilReadyOptions extends PollOptions {
  /** Resolve as soon as these product kinds are extracted, even if others are still pending. */
  products?: readonly ProductKind[] | undefined;
  /** Resolve as soon as these transaction kinds are extracted. */
  transactions?: readonly TransactionKind[] | undefined;
  /** Called with every status read (e.g. for a progress line). */
  onStatus?: ((status: CredentialStatus, attempt: number) => void) | undefined;
  /** Per-request time limit of each status call; the overall limit is `timeoutMs`. */
  requestTimeoutMs?: number | undefined;
}

const REAUTH_HOW =
  'To re-authenticate this credential (a plain Link would connect a new one), send the user to links.buildUrl({ token, userId, reauth: err.reauth }) or connect.createSession({ configuration, reauth: err.reauth }); ' +
  'later, credentials.reauthToken(credentialsToken) gives the token again. See docs/reauthentication.md.';

/** The error that ends a wait when the status says the user must come back, else `undefined`. */
function userActionNeeded(
  status: CredentialStatus,
  redacted: () => unknown,
): FlanksUserActionRequiredError | undefined {
  const { state } = credentialState(status);
  if (state === 'needs_reset') {
    return new FlanksCredentialsBlockedError(
      `The bank no longer accepts these credentials' login (blocked, or a reset was requested): the user must sign in again. ${REAUTH_HOW}`,
      { status: redacted(), reauth: status.reset_token ? { resetToken: status.reset_token } : undefined },
    );
  }
  if (state === 'needs_sca') {
    return new FlanksScaRequiredError(
      `The bank asks for strong customer authentication (SCA) again. ${REAUTH_HOW}`,
      { status: redacted(), reauth: status.sca_token ? { scaToken: status.sca_token } : undefined },
    );
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Resource
// ---------------------------------------------------------------------------------------------

/**
 * The Credentials API: status, polling, listing, forcing SCA/reset, deleting.
 *
 * @example
 * ```ts
 * const status = await flanks.credentials.waitUntilReady(token, { timeoutMs: 120_000 });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
 */
export class Credentials extends Resource {
  /**
   * Reads a credential's status.
   *
   * @example
   * ```ts
   * const status = await flanks.credentials.getStatus(token);
   * console.log(credentialState(status).state);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
   */
  getStatus(credentialsToken: string, options?: RequestOptions): APIPromise<CredentialStatus> {
    return this.call(async (call) => {
      const token = requireString(credentialsToken, 'credentialsToken');
      const { data } = await call.request({
        method: 'POST',
        path: '/v0/bank/credentials/status',
        body: { credentials_token: token },
        idempotent: true,
        secrets: [token],
        response: one('CredentialStatus', CredentialStatusSchema),
        unwrap: (body) => expectObject(body),
        options: checkRequestOptions(options),
      });
      return data;
    });
  }

  /**
   * Polls the status with growing intervals until the data asked for is extracted: the given
   * `products` / `transactions`, or else the whole first extraction (`pending: false`). Rejects with
   * `FlanksCredentialsBlockedError` or `FlanksScaRequiredError` as soon as the status says the user
   * must come back (their `reauth` re-authenticates this credential, see
   * docs/reauthentication.md), and with `FlanksTimeoutError` after `timeoutMs` (default 5 minutes).
   * A data type that finished with an error counts as extracted: check `errored` (or
   * `credentialState(status).errored`) on the status it resolves with. `.withResponse()` describes
   * the status read that ended the wait; its `calls` is the number of polls.
   *
   * @example
   * ```ts
   * const status = await flanks.credentials.waitUntilReady(token, { products: ['portfolio', 'investment'] });
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
   */
  waitUntilReady(
    credentialsToken: string,
    options: WaitUntilReadyOptions = {},
  ): APIPromise<CredentialStatus> {
    return this.call(async (call) => {
      const token = requireString(credentialsToken, 'credentialsToken');
      const o = optionalObject(options, 'options') ?? {};
      const products = optionalArrayOf(o.products, PRODUCT_KINDS, 'options.products');
      const transactions = optionalArrayOf(o.transactions, TRANSACTION_KINDS, 'options.transactions');
      checkPollOptions(o);
      checkRequestOptions({ signal: o.signal, timeoutMs: o.requestTimeoutMs }, 'options');
      optionalFunction(o.onStatus, 'options.onStatus');
      const { onStatus, requestTimeoutMs } = options;
      return poll({
        ...options,
        what: 'the credentials to be ready',
        check: (signal) => call.track(this.getStatus(token, { signal, timeoutMs: requestTimeoutMs })),
        onValue: onStatus,
        isDone: (status) => {
          const stop = userActionNeeded(status, () => this.transport.redact(status, [token]));
          if (stop) throw stop;
          if (!products && !transactions) return !status.pending;
          const createdTx = transactionFlags(status.created);
          return (
            (products ?? []).every((k) => status.created?.product?.[k] === true) &&
            (transactions ?? []).every((k) => createdTx?.[k] === true)
          );
        },
      });
    });
  }

  /**
   * Iterates over every credential of your company, page by page as needed. `pages()` gives each
   * page with its `nextCursor` (the number of the page that follows, `null` after the last);
   * `list({ cursor })` resumes there. Flanks numbers pages by position, so credentials created or
   * deleted between two pages can shift the list by a few items: a resumed walk may then see an item
   * twice or miss one, as an uninterrupted walk would.
   *
   * @example
   * ```ts
   * for await (const credential of flanks.credentials.list()) {
   *   if (!(await store.get(credential.credentials_token))) console.warn('orphan credential');
   * }
   * for await (const { items, nextCursor } of flanks.credentials.list({ cursor: saved }).pages()) {
   *   await audit(items);
   *   await progress.save(nextCursor);
   * }
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
   */
  list(params: CredentialListParams = {}, options?: RequestOptions): Paginator<CredentialListItem, number> {
    const p = optionalObject(params, 'params') ?? {};
    onlyKnownKeys(p, ['cursor'], 'params');
    const start = optionalNumber(p.cursor, 'params.cursor', { min: 1, integer: true });
    checkRequestOptions(options);
    return new Paginator<CredentialListItem, number>(async (cursor) => {
      const page = cursor ?? 1;
      const result = await this.listPage(page, options);
      // Read as numbers even with validation off (numeric strings are not coerced then), so that
      // "pages": "3" still ends the list instead of paging on for as long as items come back.
      const current = countOf(result.page) ?? page;
      const pages = countOf(result.pages);
      const hasMore = pages !== undefined ? current < pages : result.items.length > 0;
      return { items: result.items, nextCursor: hasMore ? current + 1 : null };
    }, start);
  }

  /**
   * Reads one page of the credentials list (pages start at 1), as Flanks sent it; a bare array
   * answer (no page numbers) is returned as `{ items: [...] }`.
   *
   * @example
   * ```ts
   * const { items, pages } = await flanks.credentials.listPage(1);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
   */
  listPage(page = 1, options?: RequestOptions): APIPromise<CredentialListPage> {
    return this.call(async (call) => {
      optionalNumber(page, 'page', { min: 1, integer: true });
      const { data } = await call.request({
        method: 'POST',
        path: '/v0/bank/credentials/list',
        body: { page },
        idempotent: true,
        response: one('CredentialListPage', CredentialListPageSchema),
        unwrap: (body) => (Array.isArray(body) ? { items: body } : expectObject(body, 'items')),
        options: checkRequestOptions(options),
      });
      return data;
    });
  }

  /**
   * The token that sends the user back to re-authenticate this credential, for
   * `links.buildUrl({ reauth })` or `connect.createSession({ reauth })`, read from its status.
   * Without `kind`: what the status asks for (`{ resetToken }` when blocked or a reset is pending,
   * forced with `force(token, 'reset')` when a blocked credential has no `reset_token`; else
   * `{ scaToken }` when the bank wants SCA), or `undefined` when no re-authentication is needed.
   * With `kind`: that kind's token, from the status or else forced (e.g. to let a user update a
   * password they changed at the bank). The token is a secret: pass it on, never log it. How Flanks
   * takes it is assumed, see docs/reauthentication.md.
   *
   * @example
   * ```ts
   * const reauth = await flanks.credentials.reauthToken(record.credentialsToken);
   * if (reauth) return res.redirect(flanks.links.buildUrl({ token: LINK_TOKEN, userId: req.user.id, reauth, rollback: true }));
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
   */
  reauthToken(
    credentialsToken: string,
    kind: 'reset' | 'sca',
    options?: RequestOptions,
  ): APIPromise<ReauthToken>;
  reauthToken(
    credentialsToken: string,
    kind?: undefined,
    options?: RequestOptions,
  ): APIPromise<ReauthToken | undefined>;
  reauthToken(
    credentialsToken: string,
    kind?: 'reset' | 'sca',
    options?: RequestOptions,
  ): APIPromise<ReauthToken | undefined> {
    return this.call(async (call) => {
      const token = requireString(credentialsToken, 'credentialsToken');
      optionalOneOf(kind, ['reset', 'sca'], 'kind');
      checkRequestOptions(options);
      const status = await call.track(this.getStatus(token, options));
      const { state } = credentialState(status);
      const wanted = kind ?? (state === 'needs_reset' ? 'reset' : state === 'needs_sca' ? 'sca' : undefined);
      if (wanted === undefined) return undefined;
      const field = wanted === 'reset' ? 'reset_token' : 'sca_token';
      // In warn/off validation a body is returned as sent, so the force answer may not be an object.
      const forced = status[field]
        ? undefined
        : ((await call.track(this.force(token, wanted, options))) as ForceResult | null);
      const value = status[field] || forced?.[field];
      if (!value) {
        throw new FlanksValidationError(
          `Flanks answered force('${wanted}') without a ${field}: nothing to re-authenticate with. Please report it.`,
          { path: `response.${field}` },
        );
      }
      return wanted === 'reset' ? { resetToken: value } : { scaToken: value };
    });
  }

  /**
   * Asks Flanks for an SCA, reset or transaction token for a credential (`PUT
   * /v0/bank/credentials/status`). Not retried once the request may have reached Flanks.
   *
   * @example
   * ```ts
   * const { sca_token } = await flanks.credentials.force(token, 'sca');
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
   */
  force(credentialsToken: string, kind: ForceKind, options?: RequestOptions): APIPromise<ForceResult> {
    return this.call(async (call) => {
      const token = requireString(credentialsToken, 'credentialsToken');
      if (kind === undefined || optionalOneOf(kind, FORCE_KINDS, 'kind') === undefined) {
        throw argumentError('kind', "is required: 'sca', 'reset' or 'transaction'.");
      }
      const { data } = await call.request({
        method: 'PUT',
        path: '/v0/bank/credentials/status',
        body: { credentials_token: token, force: kind },
        idempotent: false,
        secrets: [token],
        response: one('ForceResult', ForceResultSchema),
        options: checkRequestOptions(options),
      });
      return data;
    });
  }

  /**
   * Deletes a credential at Flanks: its data stops being refreshed and its token stops working.
   * Also remove it from your `CredentialStore`. Not retried once the request may have reached Flanks.
   *
   * @example
   * ```ts
   * await flanks.credentials.delete(token);
   * await store.delete(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/credentials-api
   */
  delete(credentialsToken: string, options?: RequestOptions): APIPromise<ActionResult> {
    return this.call(async (call) => {
      const token = requireString(credentialsToken, 'credentialsToken');
      const { data } = await call.request({
        method: 'DELETE',
        path: '/v0/bank/credentials',
        body: { credentials_token: token },
        idempotent: false,
        secrets: [token],
        response: one('DeleteCredentialsResult', ActionResultSchema),
        options: checkRequestOptions(options),
      });
      return data;
    });
  }
}

import * as z from 'zod/mini';
import type { APIPromise } from '../core/api-promise';
import type { Paginator } from '../core/pagination';
import type { RequestOptions } from '../core/request-options';
import { checkArg, checkRequestOptions, requireString } from '../internal/args';
import type { Call } from '../internal/call';
import { one } from '../internal/validate';
import { type CursorListParams, cursorList, idList, isoDate } from './cursor';
import { type ActionResult, ActionResultSchema, Resource } from './shared';

/*
 * Aggregation API v2 (beta). No archived doc page exists: paths, bodies and the product and
 * transaction fields come from a third-party client that mocks every response (shared/flanks-api.md
 * §3.8). So only the ids are required, every object keeps unknown fields, and enum-like fields are
 * plain strings with the known values in exported tables. Unlike v0, one call spans every connection;
 * filter with `connection_id_in`.
 */

const str = z.optional(z.nullable(z.string()));
const num = z.optional(z.nullable(z.number()));

/**
 * Labels: your own key–value pairs on a product or transaction, for identifying and filtering.
 *
 * @example
 * ```ts
 * const labels: Labels = { client: 'acme', segment: 'private-banking' };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export const LabelsSchema = z.record(z.string(), z.string());
/**
 * Key–value labels of a product or transaction.
 *
 * @example
 * ```ts
 * await flanks.aggregationV2.setProductLabels(productId, { client: 'acme' } satisfies Labels);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export type Labels = z.infer<typeof LabelsSchema>;

/**
 * Product `product_type` values known so far (beta; from a third-party client). Other values may
 * appear.
 *
 * @example
 * ```ts
 * const accounts = flanks.aggregationV2.listProducts({ query: { product_type_in: ['Account'] } });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export const PRODUCT_V2_TYPES = ['Account', 'Card', 'Investment', 'Liability'] as const;

/**
 * A product of Aggregation v2 (beta): an account, card, investment or liability of any connection.
 *
 * @example
 * ```ts
 * for await (const p of flanks.aggregationV2.listProducts()) console.log(p.product_type, p.name, p.balance);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export const ProductV2Schema = z.looseObject({
  /** Required: it is what `setProductLabels` and `listTransactions({ query: { product_id_in } })` take. */
  product_id: z.string(),
  /** See {@link PRODUCT_V2_TYPES}. */
  product_type: str,
  /** The connection (credentials token) the product belongs to. Secret. */
  connection_id: str,
  name: str,
  balance: num,
  currency: str,
  iban: str,
  labels: z.optional(z.nullable(LabelsSchema)),
});
/**
 * A product of Aggregation v2.
 *
 * @example
 * ```ts
 * const products: ProductV2[] = await flanks.aggregationV2.listProducts().toArray({ limit: 200 });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export type ProductV2 = z.infer<typeof ProductV2Schema>;

/**
 * A transaction of Aggregation v2 (beta).
 *
 * @example
 * ```ts
 * for await (const t of flanks.aggregationV2.listTransactions({ query: { date_from: '2026-01-01' } })) console.log(t.date, t.amount);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export const TransactionV2Schema = z.looseObject({
  /** Required: it is what `setTransactionLabels` takes. */
  transaction_id: z.string(),
  product_id: str,
  /** Signed: negative is money out. */
  amount: num,
  currency: str,
  description: str,
  /** Operation date, `YYYY-MM-DD`. */
  date: str,
  category: str,
  labels: z.optional(z.nullable(LabelsSchema)),
});
/**
 * A transaction of Aggregation v2.
 *
 * @example
 * ```ts
 * const recent: TransactionV2[] = await flanks.aggregationV2.listTransactions().toArray({ limit: 20 });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export type TransactionV2 = z.infer<typeof TransactionV2Schema>;

/**
 * Filters of `aggregationV2.listProducts`, in Flanks' names. An empty array matches nothing.
 *
 * @example
 * ```ts
 * const query: ProductV2Query = { connection_id_in: [record.credentialsToken], product_type_in: ['Investment'] };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export const ProductV2QuerySchema = z.looseObject({
  product_id_in: idList,
  product_type_in: idList,
  connection_id_in: idList,
});
/**
 * Filters of `aggregationV2.listProducts`.
 *
 * @example
 * ```ts
 * const query: ProductV2Query = { product_type_in: ['Account'] };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export type ProductV2Query = z.infer<typeof ProductV2QuerySchema>;

/**
 * Filters of `aggregationV2.listTransactions`, in Flanks' names: ids, and an inclusive date range
 * (`YYYY-MM-DD`). An empty array matches nothing.
 *
 * @example
 * ```ts
 * const query: TransactionV2Query = { product_id_in: [accountId], date_from: '2026-01-01', date_to: '2026-03-31' };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export const TransactionV2QuerySchema = z.looseObject({
  transaction_id_in: idList,
  product_id_in: idList,
  connection_id_in: idList,
  date_from: isoDate,
  date_to: isoDate,
});
/**
 * Filters of `aggregationV2.listTransactions`.
 *
 * @example
 * ```ts
 * const query: TransactionV2Query = { date_from: '2026-01-01' };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export type TransactionV2Query = z.infer<typeof TransactionV2QuerySchema>;

// ---------------------------------------------------------------------------------------------
// Resource
// ---------------------------------------------------------------------------------------------

/**
 * Aggregation API v2 (**beta**): products and transactions across all your connections, with cursor
 * pagination, filters and labels. Every list is an async iterable that fetches pages as you go.
 *
 * @example
 * ```ts
 * for await (const product of flanks.aggregationV2.listProducts({ query: { connection_id_in: [token] } })) {
 *   console.log(product.product_type, product.name, product.balance);
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export class AggregationV2 extends Resource {
  /**
   * Iterates over products, optionally filtered by id, type or connection.
   *
   * @example
   * ```ts
   * const investments = await flanks.aggregationV2
   *   .listProducts({ query: { product_type_in: ['Investment'] } })
   *   .toArray({ limit: 1_000 });
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
   */
  listProducts(
    params: CursorListParams<ProductV2Query> = {},
    options?: RequestOptions,
  ): Paginator<ProductV2, string> {
    return cursorList(this.transport, {
      path: '/aggregation/v2/list-products',
      name: 'ProductV2',
      item: ProductV2Schema,
      query: ProductV2QuerySchema,
      params,
      options,
    });
  }

  /**
   * Iterates over transactions, optionally filtered by ids, connection and date range.
   *
   * @example
   * ```ts
   * const query = { date_from: '2026-01-01' };
   * for await (const page of flanks.aggregationV2.listTransactions({ query, cursor: await progress.load() }).pages()) {
   *   await db.insertMany(page.items);
   *   await progress.save(page.nextCursor); // resume here after a crash
   * }
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
   */
  listTransactions(
    params: CursorListParams<TransactionV2Query> = {},
    options?: RequestOptions,
  ): Paginator<TransactionV2, string> {
    return cursorList(this.transport, {
      path: '/aggregation/v2/list-transactions',
      name: 'TransactionV2',
      item: TransactionV2Schema,
      query: TransactionV2QuerySchema,
      params,
      options,
    });
  }

  /**
   * Sets the labels of a product. Whether Flanks replaces or merges existing labels is undocumented;
   * send the full set you want. Not retried once the request may have reached Flanks.
   *
   * @example
   * ```ts
   * await flanks.aggregationV2.setProductLabels(product.product_id, { client: 'acme', advisor: 'jdoe' });
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
   */
  setProductLabels(productId: string, labels: Labels, options?: RequestOptions): APIPromise<ActionResult> {
    return this.call(async (call) => {
      const id = requireString(productId, 'productId');
      return this.#setLabels(call, '/aggregation/v2/set-product-labels', { product_id: id }, labels, options);
    });
  }

  /**
   * Sets the labels of a transaction. Send the full set you want (replace or merge is undocumented).
   * Not retried once the request may have reached Flanks.
   *
   * @example
   * ```ts
   * await flanks.aggregationV2.setTransactionLabels(tx.transaction_id, { reviewed: 'yes' });
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
   */
  setTransactionLabels(
    transactionId: string,
    labels: Labels,
    options?: RequestOptions,
  ): APIPromise<ActionResult> {
    return this.call(async (call) => {
      const id = requireString(transactionId, 'transactionId');
      const target = { transaction_id: id };
      return this.#setLabels(call, '/aggregation/v2/set-transaction-labels', target, labels, options);
    });
  }

  async #setLabels(
    call: Call,
    path: string,
    target: Record<string, string>,
    labels: unknown,
    options: RequestOptions | undefined,
  ): Promise<ActionResult> {
    const checked = checkArg(LabelsSchema, labels, 'labels');
    const { data } = await call.request({
      method: 'POST',
      path,
      body: { ...target, labels: checked },
      idempotent: false,
      response: one('SetLabelsResult', ActionResultSchema),
      options: checkRequestOptions(options),
    });
    return data;
  }
}

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
 * transaction fields come from a third-party client that mocks every response (docs/api-notes.md,
 * "Where the Flanks API is unclear"). So only the ids are required, every object keeps unknown fields,
 * and enum-like fields are plain strings with the known values in exported tables. Unlike v0, one call
 * spans every connection; filter with `connection_id_in`.
 */

const str = z.optional(z.nullable(z.string()));
const num = z.optional(z.nullable(z.number()));

/** Labels: your own key–value pairs on a product or transaction, for identifying and filtering. */
export const LabelsSchema = z.record(z.string(), z.string());
/** Key–value labels, the type of {@link LabelsSchema}. */
export type Labels = z.infer<typeof LabelsSchema>;

/** Product `product_type` values known so far (beta; from a third-party client). Others may appear. */
export const PRODUCT_V2_TYPES = ['Account', 'Card', 'Investment', 'Liability'] as const;

/** A product of Aggregation v2 (beta): an account, card, investment or liability of any connection. */
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
/** A product of Aggregation v2, the type of {@link ProductV2Schema}. */
export type ProductV2 = z.infer<typeof ProductV2Schema>;

/** A transaction of Aggregation v2 (beta). */
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
/** A transaction of Aggregation v2, the type of {@link TransactionV2Schema}. */
export type TransactionV2 = z.infer<typeof TransactionV2Schema>;

/** Filters of `aggregationV2.listProducts`, in Flanks' names. An empty array matches nothing. */
export const ProductV2QuerySchema = z.looseObject({
  product_id_in: idList,
  product_type_in: idList,
  connection_id_in: idList,
});
/** Filters of `aggregationV2.listProducts`, the type of {@link ProductV2QuerySchema}. */
export type ProductV2Query = z.infer<typeof ProductV2QuerySchema>;

/** Filters of `aggregationV2.listTransactions`, in Flanks' names. An empty array matches nothing. */
export const TransactionV2QuerySchema = z.looseObject({
  transaction_id_in: idList,
  product_id_in: idList,
  connection_id_in: idList,
  /** First day, `YYYY-MM-DD`, inclusive. */
  date_from: isoDate,
  /** Last day, `YYYY-MM-DD`, inclusive. */
  date_to: isoDate,
});
/** Filters of `aggregationV2.listTransactions`, the type of {@link TransactionV2QuerySchema}. */
export type TransactionV2Query = z.infer<typeof TransactionV2QuerySchema>;

// ---------------------------------------------------------------------------------------------
// Resource
// ---------------------------------------------------------------------------------------------

/**
 * Aggregation API v2 (**beta**): products and transactions across all your connections, with cursor
 * pagination, filters and labels. Every list is an async iterable that fetches pages as you go.
 * @example
 * for await (const product of flanks.aggregationV2.listProducts({ query: { connection_id_in: [token] } })) {
 *   console.log(product.product_type, product.name, product.balance);
 * }
 * @see https://docs.flanks.io/pages/flanks-apis/aggregation-api/v2/
 */
export class AggregationV2 extends Resource {
  /**
   * Iterates over products, optionally filtered by id, type or connection.
   * @example
   * const query = { product_type_in: ['Investment'] };
   * const investments = await flanks.aggregationV2.listProducts({ query }).toArray({ limit: 1_000 });
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
   * @example
   * const query = { date_from: '2026-01-01' };
   * for await (const page of flanks.aggregationV2.listTransactions({ query, cursor: await progress.load() }).pages()) {
   *   await db.insertMany(page.items);
   *   await progress.save(page.nextCursor); // resume here after a crash
   * }
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
   * @example await flanks.aggregationV2.setProductLabels(product.product_id, { client: 'acme', advisor: 'jdoe' });
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
   * @example await flanks.aggregationV2.setTransactionLabels(tx.transaction_id, { reviewed: 'yes' });
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

import * as z from 'zod/mini';
import { keepEnvelope } from '../core/envelope';
import { Paginator } from '../core/pagination';
import {
  checkArg,
  checkRequestOptions,
  onlyKnownKeys,
  optionalObject,
  optionalString,
} from '../internal/args';
import type { Transport } from '../internal/transport';
import { one } from '../internal/validate';
import { expectObject } from './shared';

/*
 * Cursor pagination of the newer Flanks APIs (Connect v2, Aggregation v2), shared by every cursor
 * list so there is one copy of it: the body is `{ query, page_token? }` (`query` is required by
 * List Connectors and may be `{}`), the answer `{ items, next_page_token }`, and a null, missing or
 * empty `next_page_token` ends the list. A page's `nextCursor` is its `next_page_token` as Flanks sent
 * it (an opaque position, no secret), and `cursor` resumes there. Pages are read lazily through the
 * one `Paginator`, which also stops on a cursor seen twice. Arguments are checked when the first page
 * is asked for, before any request, so a bad argument rejects the iteration instead of throwing at the
 * call site; unknown parameter names are refused, so a misspelt `cursor` cannot restart a resumed walk
 * from the top.
 */

/**
 * Arguments of every cursor list of the newer APIs: a `query` in Flanks' own filter names, and a
 * `cursor` to resume from (the `nextCursor` of a page read earlier, with the same `query`).
 *
 * Query fields are ANDed; a `*_in` array matches any of its values, and **an empty array matches
 * nothing**; an empty query matches everything.
 *
 * @example
 * ```ts
 * const params: CursorListParams<SessionQuery> = { query: { status_in: ['Finished:OK'] }, cursor: saved };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export interface CursorListParams<Q> {
  query?: Q | undefined;
  /**
   * Resume after the page whose `nextCursor` this is (from `pages()`), instead of starting from the
   * first page. Use it with the same `query` it was read with.
   */
  cursor?: string | undefined;
}

/** A v2 filter list: strings only; empty is allowed (it matches nothing). */
export const idList = z.optional(z.array(z.string().check(z.minLength(1))));
/** A calendar date as Flanks writes it. */
export const isoDate = z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')));

export interface CursorListSpec<S extends z.ZodMiniType> {
  path: string;
  /** Item name for messages, e.g. `Session`. */
  name: string;
  item: S;
  /** Schema of the `query` argument; its output is sent as is. */
  query: z.ZodMiniType;
  params: unknown;
  options: unknown;
}

/**
 * The connection ids a query filters on (`connection_id_in`): credentials tokens, so secrets of the
 * call that must stay out of its errors. Every v2 query and the report query use this name.
 */
export function connectionSecrets(query: Record<string, unknown> | undefined): string[] {
  const ids = query?.connection_id_in;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

export function cursorList<S extends z.ZodMiniType>(
  transport: Transport,
  spec: CursorListSpec<S>,
): Paginator<z.infer<S>, string> {
  const page = one(
    `${spec.name}Page`,
    z.looseObject({ items: z.array(spec.item), next_page_token: z.optional(z.nullable(z.string())) }),
  );
  return new Paginator<z.infer<S>, string>(async (cursor) => {
    const p = optionalObject(spec.params, 'params') ?? {};
    onlyKnownKeys(p, ['query', 'cursor'], 'params');
    const query = checkArg(spec.query, p.query ?? {}, 'params.query') as Record<string, unknown>;
    const pageToken = cursor ?? optionalString(p.cursor, 'params.cursor');
    const options = checkRequestOptions(spec.options);
    const { data } = await transport.request({
      method: 'POST',
      path: spec.path,
      body: { query, ...(pageToken !== undefined ? { page_token: pageToken } : {}) },
      idempotent: true,
      secrets: connectionSecrets(query),
      response: page,
      // A bare array is read as a single, last page; a body with no list at all is an error. The
      // page's other fields stay available on its items through `envelopeOf`.
      unwrap: (body) => {
        if (Array.isArray(body)) return { items: body };
        keepEnvelope(expectObject(body, 'items').items, body as Record<string, unknown>, 'items');
        return body;
      },
      options,
    });
    const next = data.next_page_token;
    return { items: data.items as Array<z.infer<S>>, nextCursor: next ? next : null };
  });
}

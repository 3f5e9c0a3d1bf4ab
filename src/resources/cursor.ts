import * as z from 'zod/mini';
import { keepEnvelope } from '../core/envelope';
import { FlanksValidationError } from '../core/errors';
import { Paginator } from '../core/pagination';
import { checkRequestOptions, optionalObject, optionalString } from '../internal/args';
import type { Transport } from '../internal/transport';
import { one } from '../internal/validate';
import { expectObject } from './shared';

/*
 * Cursor pagination of the newer Flanks APIs (Connect v2, Aggregation v2), shared by every cursor
 * list so there is one copy of it: the body is `{ query, page_token? }` (`query` is required by
 * List Connectors and may be `{}`), the answer `{ items, next_page_token }`, and a null, missing or
 * empty `next_page_token` ends the list. Pages are read lazily through the one `Paginator`, which
 * also stops on a cursor seen twice. Arguments are checked when the first page is asked for, before
 * any request, so a bad argument rejects the iteration instead of throwing at the call site.
 */

/**
 * Arguments of every cursor list of the newer APIs: a `query` in Flanks' own filter names, and a
 * `pageToken` to resume from (the `next_page_token` of an earlier page).
 *
 * Query fields are ANDed; a `*_in` array matches any of its values, and **an empty array matches
 * nothing**; an empty query matches everything.
 *
 * @example
 * ```ts
 * const params: CursorListParams<SessionQuery> = { query: { status_in: ['Finished:OK'] }, pageToken: saved };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/connect-api/v2
 */
export interface CursorListParams<Q> {
  query?: Q | undefined;
  /** Start from this page (a `next_page_token` Flanks gave earlier) instead of the first. */
  pageToken?: string | undefined;
}

/** Checks an argument against a schema, naming the first bad field; messages never echo values. */
export function checkArg<S extends z.ZodMiniType>(schema: S, value: unknown, name: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data as z.infer<S>;
  const issue = result.error.issues[0];
  const path = [name, ...(issue?.path ?? []).map(String)].join('.');
  throw new FlanksValidationError(`${path} is invalid: ${issue?.message ?? 'bad value'}.`, { path });
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
    const query = checkArg(spec.query, p.query ?? {}, 'params.query') as Record<string, unknown>;
    const pageToken = cursor ?? optionalString(p.pageToken, 'params.pageToken');
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
    return { items: data.items as Array<z.infer<S>>, next: next ? next : undefined };
  });
}

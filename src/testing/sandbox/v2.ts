// Request and paging conventions of Flanks' newer APIs (Connect v2, Aggregation v2, Report v1),
// shared by their sandbox routes. Validation problems answer the documented 400 envelope
// `{success:false, error:{code:"ValidationError", details:[{error_type, field}]}, trace_id}`.
// Query objects follow the Connect v2 page: fields are ANDed, a `*_in` array matches any of its
// values, an empty array matches nothing, and an empty query matches everything. Unknown query
// fields are refused, so a misspelt filter fails in tests instead of silently matching everything.
//
// Cursor pages: `next_page_token` is an opaque token, set whenever a page is full. Like a server
// that does not count ahead, a list whose length is a multiple of the page size therefore ends with
// an empty page, which clients must handle.

import { isRecord } from '../../internal/args';
import { fromBase64Url, toBase64Url } from '../../internal/encoding';
import type { Route } from './api';
import { ApiProblem, envelopeError, json } from './http';
import type { SandboxState } from './state';

export type Routes = Record<string, Record<string, Route>>;

export function invalid(field: string, errorType = 'invalid'): ApiProblem {
  return new ApiProblem(envelopeError('ValidationError', [{ error_type: errorType, field }]));
}

export function requiredText(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null || value === '') throw invalid(field, 'missing');
  if (typeof value !== 'string') throw invalid(field, 'invalid_type');
  return value;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type QueryField = 'ids' | 'date';
export type Query = Record<string, string[] | string | undefined>;

/** Reads `body.query` with the given fields; `query` may be left out, but not be anything else. */
export function readQuery(body: Record<string, unknown>, fields: Record<string, QueryField>): Query {
  const raw = body.query ?? {};
  if (!isRecord(raw)) throw invalid('query', 'invalid_type');
  const query: Query = {};
  for (const [key, value] of Object.entries(raw)) {
    const kind = fields[key];
    if (kind === undefined) throw invalid(`query.${key}`, 'unknown_field');
    if (value === undefined || value === null) continue;
    if (kind === 'ids' && !(Array.isArray(value) && value.every((v) => typeof v === 'string')))
      throw invalid(`query.${key}`, 'invalid_type');
    if (kind === 'date' && !(typeof value === 'string' && DATE.test(value)))
      throw invalid(`query.${key}`, 'invalid_date');
    query[key] = value as string[] | string;
  }
  return query;
}

/** Whether `value` passes the `*_in` filter `field` (absent filter: yes; empty list: no). */
export function matchesIn(query: Query, field: string, value: string | null | undefined): boolean {
  const allowed = query[field];
  return !Array.isArray(allowed) || (value !== null && value !== undefined && allowed.includes(value));
}

/** Whether a `YYYY-MM-DD` date lies in the query's inclusive `date_from` / `date_to` range. */
export function inDateRange(query: Query, date: string): boolean {
  const from = query.date_from;
  const to = query.date_to;
  return (typeof from !== 'string' || date >= from) && (typeof to !== 'string' || date <= to);
}

interface Cursor {
  list: string;
  offset: number;
}

function encodeCursor(cursor: Cursor): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(cursor)));
}

function decodeCursor(token: string, list: string): number {
  try {
    const cursor = JSON.parse(new TextDecoder().decode(fromBase64Url(token))) as Partial<Cursor>;
    if (cursor.list === list && Number.isInteger(cursor.offset) && (cursor.offset as number) >= 0)
      return cursor.offset as number;
  } catch {}
  throw invalid('page_token', 'invalid');
}

/** One page of `items` at `body.page_token`, as `{ items, next_page_token }`. */
export function cursorPage(
  state: SandboxState,
  body: Record<string, unknown>,
  list: string,
  items: readonly unknown[],
): Response {
  const token = body.page_token;
  if (token !== undefined && token !== null && typeof token !== 'string')
    throw invalid('page_token', 'invalid_type');
  const offset = typeof token === 'string' && token !== '' ? decodeCursor(token, list) : 0;
  const size = state.config.pageSize;
  const page = items.slice(offset, offset + size);
  const next = page.length === size ? encodeCursor({ list, offset: offset + size }) : null;
  return json({ items: page, next_page_token: next });
}

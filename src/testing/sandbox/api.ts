// The Flanks API routes. Where the public docs are silent the sandbox picks one answer and keeps
// to it: unknown tokens and codes are 400 `{"error":"Invalid <field>"}` (the legacy style), a
// missing field is 400 `{"error":"Missing fields: <field>"}`, and data errors are 409 with the
// legacy numeric code.

import { isRecord } from '../../internal/args';
import { AGGREGATION_V2_ROUTES } from './aggregation-v2';
import { ENTITIES } from './catalog';
import { CONNECT_ROUTES } from './connect';
import type { BankData } from './data';
import { ApiProblem, envelopeError, errorJson, json, type ParsedBody, traceId } from './http';
import { REPORT_ROUTES } from './reports';
import type { CredentialRecord, ExtractionStep, LinkRecord, SandboxState } from './state';

export interface ApiCall {
  method: string;
  /** Path relative to the API base, without a trailing slash. */
  path: string;
  query: URLSearchParams;
  authorization: string | null;
  body: ParsedBody;
}

export interface RouteContext {
  state: SandboxState;
  clientId: string;
  body: Record<string, unknown>;
  query: URLSearchParams;
}

export type Route = (context: RouteContext) => Response;

const SCOPE = 'aggregation credentials links';

function bodyObject(parsed: ParsedBody): Record<string, unknown> {
  if (parsed.ok && parsed.value === undefined) return {};
  if (parsed.ok && isRecord(parsed.value)) return parsed.value;
  throw new ApiProblem(errorJson(400, 'Invalid JSON body'));
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null || value === '')
    throw new ApiProblem(errorJson(400, `Missing fields: ${field}`));
  if (typeof value !== 'string') throw new ApiProblem(errorJson(400, `Invalid ${field}`));
  return value;
}

function credentialOf({ state, clientId, body }: RouteContext): CredentialRecord {
  const credential = state.credentialFor(clientId, requiredString(body, 'credentials_token'));
  if (!credential) throw new ApiProblem(errorJson(400, 'Invalid credentials_token'));
  return credential;
}

function linkOf({ state, clientId, body }: RouteContext): LinkRecord {
  const link = state.linkFor(clientId, requiredString(body, 'token'));
  if (!link) throw new ApiProblem(errorJson(400, 'Invalid token'));
  return link;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

type LinkChanges = Partial<
  Pick<LinkRecord, 'name' | 'redirectUri' | 'companyName' | 'termsUrl' | 'privacyUrl'>
>;

/** Validates the editable Link fields present in `body`; `null` clears an optional one. */
function linkChanges(body: Record<string, unknown>, creating: boolean): LinkChanges {
  const details: { error_type: string; field: string }[] = [];
  const changes: LinkChanges = {};
  const redirect = body.redirect_uri;
  if (redirect === null || redirect === '' || (redirect === undefined && creating)) {
    details.push({ error_type: 'missing', field: 'redirect_uri' });
  } else if (redirect !== undefined) {
    if (typeof redirect !== 'string' || !isHttpUrl(redirect))
      details.push({ error_type: 'invalid_url', field: 'redirect_uri' });
    else changes.redirectUri = redirect;
  }
  const optional = (
    field: string,
    key: 'name' | 'companyName' | 'termsUrl' | 'privacyUrl',
    url: boolean,
  ): void => {
    const value = body[field];
    if (value === undefined) return;
    if (value === null) changes[key] = null;
    else if (typeof value !== 'string' || value.trim() === '')
      details.push({ error_type: 'invalid_type', field });
    else if (url && !isHttpUrl(value)) details.push({ error_type: 'invalid_url', field });
    else changes[key] = value;
  };
  optional('name', 'name', false);
  optional('company_name', 'companyName', false);
  optional('terms_and_conditions_url', 'termsUrl', true);
  optional('privacy_policy_url', 'privacyUrl', true);
  if (details.length > 0) throw new ApiProblem(envelopeError('ValidationError', details));
  return changes;
}

function assertUniqueName(
  state: SandboxState,
  clientId: string,
  name: string | null | undefined,
  self?: string,
): void {
  if (name === null || name === undefined) return;
  for (const link of state.links.values()) {
    if (link.clientId === clientId && link.token !== self && (link.name ?? link.token) === name) {
      throw new ApiProblem(envelopeError('DuplicatedName', [{ error_type: 'duplicated', field: 'name' }]));
    }
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface AggregationQuery {
  accountIds?: string[];
  dateFrom?: string;
  dateTo?: string;
}

function aggregationQuery(value: unknown): AggregationQuery {
  if (value === undefined || value === null) return {};
  const invalid = () => new ApiProblem(errorJson(400, 'Invalid query'));
  if (!isRecord(value)) throw invalid();
  const query: AggregationQuery = {};
  if (value.account_id !== undefined) {
    if (!Array.isArray(value.account_id) || !value.account_id.every((id) => typeof id === 'string'))
      throw invalid();
    query.accountIds = value.account_id;
  }
  for (const [field, key] of [
    ['date_from', 'dateFrom'],
    ['date_to', 'dateTo'],
  ] as const) {
    const date = value[field];
    if (date === undefined) continue;
    if (typeof date !== 'string' || !DATE.test(date)) throw invalid();
    query[key] = date;
  }
  return query;
}

interface Aggregation {
  step: ExtractionStep;
  select: (data: BankData) => readonly object[] | object;
  /** Transaction kinds honour `query.date_from` / `query.date_to` on `operationDate`. */
  dated?: boolean;
  /** Kinds whose items carry `account_id` honour `query.account_id`. */
  byAccount?: boolean;
}

const AGGREGATIONS: Record<string, Aggregation> = {
  portfolio: { step: 'product.portfolio', select: (d) => d.portfolios },
  investment: { step: 'product.investment', select: (d) => d.investments },
  'investment/transaction': {
    step: 'transactions.investment',
    select: (d) => d.investmentTransactions,
    dated: true,
  },
  account: { step: 'product.account', select: (d) => d.accounts, byAccount: true },
  data: { step: 'transactions.account', select: (d) => d.accountTransactions, dated: true, byAccount: true },
  liability: { step: 'product.liability', select: (d) => d.liabilities },
  'liability/transaction': {
    step: 'transactions.liability',
    select: (d) => d.liabilityTransactions,
    dated: true,
  },
  card: { step: 'product.card', select: (d) => d.cards },
  'card/transaction': { step: 'transactions.card', select: (d) => d.cardTransactions, dated: true },
  holder: { step: 'product.holders', select: (d) => d.holders },
  auth: { step: 'product.auth', select: (d) => d.identity },
};

function aggregationRoute({ step, select, dated, byAccount }: Aggregation): Route {
  return (context) => {
    const credential = credentialOf(context);
    const query = aggregationQuery(context.body.query);
    const snapshot = context.state.observe(credential);
    if (!snapshot.created.has(step)) {
      return json({ error: 'Data is still being processed', code: 20002, trace_id: traceId() }, 409);
    }
    const selected = select(context.state.bankData(credential));
    if (credential.failingSteps.has(step)) {
      if (context.body.ignore_data_error !== true) {
        return json({ error: 'Data extraction failed', code: 20001, trace_id: traceId() }, 409);
      }
      // Nothing was ever stored for a brand-new credential whose extraction failed.
      return json(Array.isArray(selected) ? [] : {});
    }
    if (!Array.isArray(selected)) return json(selected);
    const items = (selected as Record<string, unknown>[]).filter(
      (item) =>
        (!byAccount || !query.accountIds || query.accountIds.includes(String(item.account_id))) &&
        (!dated || !query.dateFrom || String(item.operationDate) >= query.dateFrom) &&
        (!dated || !query.dateTo || String(item.operationDate) <= query.dateTo),
    );
    return json(items);
  };
}

const FORCE_TOKENS = { sca: 'scaToken', reset: 'resetToken', transaction: 'transactionToken' } as const;

const ROUTES: Record<string, Record<string, Route>> = {
  '/v0/links/list-links': {
    POST: ({ state, clientId }) => {
      const items = [...state.links.values()]
        .filter((l) => l.clientId === clientId)
        .map((l) => state.linkView(l));
      return json({ success: true, count: items.length, items });
    },
  },
  '/v0/links/create-link': {
    POST: ({ state, clientId, body }) => {
      const changes = linkChanges(body, true);
      assertUniqueName(state, clientId, changes.name);
      const token = state.newToken();
      const link: LinkRecord = {
        token,
        clientId,
        name: changes.name ?? null,
        redirectUri: changes.redirectUri ?? '',
        companyName: changes.companyName ?? null,
        termsUrl: changes.termsUrl ?? null,
        privacyUrl: changes.privacyUrl ?? null,
        active: true,
      };
      state.links.set(token, link);
      return json({ success: true, data: state.linkView(link) });
    },
  },
  '/v0/links/edit-link': {
    POST: (context) => {
      const link = linkOf(context);
      const changes = linkChanges(context.body, false);
      assertUniqueName(context.state, context.clientId, changes.name, link.token);
      Object.assign(link, changes);
      return json({ success: true, data: context.state.linkView(link) });
    },
  },
  '/v0/links/pause-link': {
    POST: (context) => {
      const link = linkOf(context);
      link.active = false;
      return json({ success: true, data: context.state.linkView(link) });
    },
  },
  '/v0/links/resume-link': {
    POST: (context) => {
      const link = linkOf(context);
      link.active = true;
      return json({ success: true, data: context.state.linkView(link) });
    },
  },
  '/v0/links/delete-link': {
    POST: (context) => {
      const link = linkOf(context);
      if (context.state.pendingCodes(context.clientId, link.token).length > 0) {
        return envelopeError('LinkHasPendingCodes');
      }
      context.state.links.delete(link.token);
      return json({ success: true });
    },
  },
  '/v0/platform/link': {
    POST: ({ state, clientId, body }) => {
      const code = state.codes.get(requiredString(body, 'code'));
      if (!code || code.clientId !== clientId) return errorJson(400, 'Invalid code');
      if (code.delayed) return json({ message: 'Credentials token will be available later' }, 202);
      state.codes.delete(code.code);
      return json({
        credentials_token: code.credentialsToken,
        message: 'Successfully retrieved',
        extra: code.extra,
        link_token: code.linkToken,
      });
    },
    GET: ({ state, clientId, query }) => {
      const linkToken = query.get('link_token') ?? undefined;
      if (linkToken !== undefined && !state.linkFor(clientId, linkToken))
        return errorJson(400, 'Invalid link_token');
      return json(
        state
          .pendingCodes(clientId, linkToken)
          .map((c) => ({ code: c.code, extra: c.extra, link_token: c.linkToken })),
      );
    },
  },
  '/v0/bank/credentials/status': {
    POST: (context) => {
      const credential = credentialOf(context);
      return json(context.state.statusBody(credential, context.state.observe(credential, true)));
    },
    PUT: (context) => {
      const credential = credentialOf(context);
      const force = requiredString(context.body, 'force');
      if (!Object.hasOwn(FORCE_TOKENS, force)) return errorJson(400, 'Invalid force');
      const key = FORCE_TOKENS[force as keyof typeof FORCE_TOKENS];
      // Forcing again hands back the same token until it is used, so retries are harmless.
      credential[key] ??= context.state.newToken();
      return json({ [`${force}_token`]: credential[key] });
    },
  },
  '/v0/bank/credentials': {
    DELETE: (context) => {
      context.state.deleteCredential(credentialOf(context));
      return json({ message: 'Credentials deleted' });
    },
  },
  '/v0/bank/credentials/list': {
    POST: ({ state, clientId, body }) => {
      const page = body.page ?? 1;
      if (typeof page !== 'number' || !Number.isInteger(page) || page < 1)
        return errorJson(400, 'Invalid page');
      const size = state.config.pageSize;
      const all = [...state.credentials.values()].filter((c) => c.clientId === clientId);
      const items = all.slice((page - 1) * size, page * size).map((c) => ({
        credentials_token: c.token,
        external_id: c.externalId,
        bank: c.bank,
        status: state.summary(c),
      }));
      return json({ items, page, pages: Math.max(1, Math.ceil(all.length / size)) });
    },
  },
  '/v0/bank/available': {
    GET: ({ state }) =>
      json(
        ENTITIES.map((e) => ({
          id: e.id,
          name: e.name,
          country: e.country,
          logo_url: `${state.config.linkBaseUrl}/logos/${e.id}.svg`,
        })),
      ),
  },
  ...Object.fromEntries(
    Object.entries(AGGREGATIONS).map(([kind, aggregation]) => [
      `/v0/bank/credentials/${kind}`,
      { POST: aggregationRoute(aggregation) },
    ]),
  ),
  // The newer APIs (Connect v2, Aggregation v2, Report v1) live in their own modules.
  ...CONNECT_ROUTES,
  ...AGGREGATION_V2_ROUTES,
  ...REPORT_ROUTES,
};

function issueToken(state: SandboxState, body: Record<string, unknown>): Response {
  const client = state.config.clients.find((c) => c.clientId === body.client_id);
  if (!client || client.clientSecret !== body.client_secret || body.grant_type !== 'client_credentials') {
    return errorJson(403, 'access_denied');
  }
  return json({
    access_token: state.issueAccessToken(client.clientId),
    expires_in: state.config.tokenTtlSeconds,
    token_type: 'Bearer',
    scope: SCOPE,
  });
}

export function handleApi(state: SandboxState, call: ApiCall): Response {
  try {
    if (call.path === '/v0/token') {
      if (call.method !== 'POST') return errorJson(405, 'Method not allowed');
      return issueToken(state, bodyObject(call.body));
    }
    const methods = ROUTES[call.path];
    if (!methods) return errorJson(404, 'Not found');
    const route = methods[call.method];
    if (!route) return errorJson(405, 'Method not allowed');
    const bearer = /^Bearer\s+(\S+)$/i.exec(call.authorization ?? '')?.[1];
    const clientId = bearer === undefined ? undefined : state.clientOfAccessToken(bearer);
    if (clientId === undefined) return errorJson(401, 'Invalid credentials');
    return route({ state, clientId, body: bodyObject(call.body), query: call.query });
  } catch (error) {
    if (error instanceof ApiProblem) return error.response;
    throw error;
  }
}

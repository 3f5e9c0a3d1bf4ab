import * as z from 'zod/mini';
import type { APIPromise } from '../core/api-promise';
import type { ReauthToken } from '../core/errors';
import type { RequestOptions } from '../core/request-options';
import {
  argumentError,
  checkRequestOptions,
  isRecord,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
  requireObject,
  requireString,
  requireUserId,
} from '../internal/args';
import type { Call } from '../internal/call';
import { DEFAULT_STATE_TTL_MS, readLinkState, signLinkState } from '../internal/link-state';
import type { Transport } from '../internal/transport';
import { many, one } from '../internal/validate';
import {
  type ActionResult,
  ActionResultSchema,
  type RedirectInput,
  Resource,
  reauthField,
  redirectUrl,
  unwrapData,
  unwrapList,
} from './shared';

// ---------------------------------------------------------------------------------------------
// Schemas and types
// ---------------------------------------------------------------------------------------------

const str = z.optional(z.nullable(z.string()));

/**
 * A Flanks Link: a reusable URL your users open to connect a bank.
 *
 * @example
 * ```ts
 * const link: Link = await flanks.links.create({ redirect_uri: 'https://app.example.com/flanks/callback' });
 * console.log(link.token, link.active, link.pending_code_count);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export const LinkSchema = z.looseObject({
  /**
   * The link token: the `token` parameter of the Link URL. Required: it is how `buildUrl`, `edit`,
   * `pause`, `resume` and `delete` name the link, so a link without it cannot be used with the SDK.
   */
  token: z.string(),
  name: str,
  /** Where Flanks sends the user back, with `?code=…`. */
  redirect_uri: str,
  company_name: str,
  terms_and_conditions_url: str,
  privacy_policy_url: str,
  /** `false` while paused. */
  active: z.optional(z.nullable(z.boolean())),
  /** Link codes issued but not exchanged yet. */
  pending_code_count: z.optional(z.nullable(z.number())),
});
/**
 * A Flanks Link, as returned by the Links API.
 *
 * @example
 * ```ts
 * const active: Link[] = (await flanks.links.list()).filter((l) => l.active);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export type Link = z.infer<typeof LinkSchema>;

/**
 * Body of `links.create` (Flanks' wire names).
 *
 * @example
 * ```ts
 * const params: LinkCreateParams = { redirect_uri: 'https://app.example.com/cb', name: 'web' };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export const LinkCreateParamsSchema = z.looseObject({
  redirect_uri: z.string().check(z.minLength(1)),
  name: z.optional(z.nullable(z.string())),
  company_name: z.optional(z.nullable(z.string())),
  terms_and_conditions_url: z.optional(z.nullable(z.string())),
  privacy_policy_url: z.optional(z.nullable(z.string())),
});
/**
 * Body of `links.create`, in Flanks' wire names.
 *
 * @example
 * ```ts
 * const params: LinkCreateParams = { redirect_uri: 'https://app.example.com/flanks/callback', name: 'web' };
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export type LinkCreateParams = z.infer<typeof LinkCreateParamsSchema>;

/**
 * Body of `links.edit`: the link `token` plus the fields to change; `null` removes a field.
 *
 * @example
 * ```ts
 * await flanks.links.edit({ token, redirect_uri: 'https://app.example.com/new-callback' });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export type LinkEditParams = Partial<LinkCreateParams> & { token: string };

/**
 * A link code that was issued but never exchanged (e.g. the user's redirect was lost). `extra` holds
 * the Link URL's custom parameters, the signed `state` among them: read the user who started the code
 * with `links.stateOwner(code)`, never from a parameter the user could edit.
 *
 * @example
 * ```ts
 * for (const unused of await flanks.links.unusedCodes({ linkToken })) {
 *   const owner = flanks.links.stateOwner(unused);
 *   if (owner.ok) await flanks.completeLink({ code: unused.code, userId: owner.userId });
 * }
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export const UnusedCodeSchema = z.looseObject({
  /** Required: the code is what `completeLink` / `exchangeCode` take; an item without it is unusable. */
  code: z.string(),
  extra: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  link_token: str,
});
/**
 * A link code issued but never exchanged.
 *
 * @example
 * ```ts
 * const codes: UnusedCode[] = await flanks.links.unusedCodes();
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export type UnusedCode = z.infer<typeof UnusedCodeSchema>;

/**
 * Flanks' answer to a code exchange (`POST /v0/platform/link`, HTTP 200), as sent.
 *
 * @example
 * ```ts
 * const result = await flanks.links.exchangeCode(code);
 * if (result.status === 'ready') save(result.body.credentials_token, result.body.extra ?? {});
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export const LinkExchangeSchema = z.looseObject({
  /** Required: it is what the exchange is for (`completeLink` stores it); an answer without it is unusable. */
  credentials_token: z.string().check(z.minLength(1)),
  message: str,
  /**
   * The custom parameters the Link URL carried (everything but `token`, `bank`, `rollback`); `null` or
   * absent when there were none.
   */
  extra: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  link_token: str,
});
/**
 * Flanks' answer to a code exchange, as sent.
 *
 * @example
 * ```ts
 * const body: LinkExchange = (await flanks.links.exchangeCode(code) as { status: 'ready'; body: LinkExchange }).body;
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export type LinkExchange = z.infer<typeof LinkExchangeSchema>;

/**
 * Flanks' answer to a code exchange it accepted but holds back (HTTP 202, security checks still
 * running). Undocumented: whatever it holds passes through; `undefined` for an empty body.
 *
 * @example
 * ```ts
 * if (result.status === 'delayed') console.log(result.body?.message);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export const LinkExchangeDelayedSchema = z.optional(z.nullable(z.looseObject({ message: str })));
/**
 * Flanks' 202 answer to a code exchange.
 *
 * @example
 * ```ts
 * const message: string | null | undefined = (delayed as LinkExchangeDelayed)?.message;
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export type LinkExchangeDelayed = z.infer<typeof LinkExchangeDelayedSchema>;

/**
 * Result of `links.exchangeCode`. `status` is computed by the SDK from the HTTP status (`ready` for
 * 200, `delayed` for 202: Flanks accepted the code but the token comes later); `body` is Flanks'
 * answer exactly as sent (only numeric strings turned into numbers), so no field of Flanks' can
 * collide with `status`.
 *
 * @example
 * ```ts
 * const r: LinkExchangeResult = await flanks.links.exchangeCode(code);
 * if (r.status === 'ready') console.log(r.body.credentials_token.length, Object.keys(r.body.extra ?? {}));
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export type LinkExchangeResult =
  | { status: 'ready'; body: LinkExchange }
  | { status: 'delayed'; body: LinkExchangeDelayed };

/**
 * Error codes the Link sends back as `?error=` (only when the Link URL carried `rollback`): the
 * Link's documented codes, then two that TestBank documents as failures of their own. Other values
 * may appear; treat unknown ones as a generic failure. What each means and what to do:
 * docs/link-outcomes.md.
 *
 * @example
 * ```ts
 * if (redirect.ok === false && redirect.error === 'INVALID_CREDENTIALS') showRetry();
 * ```
 * @see https://docs.flanks.io/pages/flanks-link
 */
export const LINK_ERROR_CODES = [
  'INVALID_CREDENTIALS',
  'INVALID_SCA',
  'CREDENTIALS_ALREADY_EXIST',
  'INTERNAL_ERROR',
  'ABORTED_BY_USER',
  'SCA_TYPE_NOT_ALLOWED',
  'USER_INTERACTION_NEEDED',
] as const;

/**
 * What the user brought back to your Redirect URI: a link `code` to exchange, or a Link `error`.
 * `params` holds every query parameter of the redirect.
 *
 * @example
 * ```ts
 * const redirect = flanks.links.parseRedirect(req.url);
 * if (!redirect.ok) return res.status(400).send(`Bank connection failed: ${redirect.error}`);
 * await flanks.completeLink({ code: redirect.code, userId });
 * ```
 * @see https://docs.flanks.io/pages/flanks-link
 */
export type LinkRedirect =
  | { ok: true; code: string; error?: undefined; params: Record<string, string> }
  | { ok: false; error: string; code?: undefined; params: Record<string, string> };

/**
 * Parameters of `links.buildUrl`.
 *
 * @example
 * ```ts
 * const params: BuildLinkUrlParams = { token: LINK_TOKEN, userId: user.id, bank: 'testbank', rollback: true };
 * ```
 * @see https://docs.flanks.io/pages/flanks-link
 */
export interface BuildLinkUrlParams {
  /** The link token (from `links.create` or the Platform). */
  token: string;
  /**
   * Your id for the user starting the Link. Required: it goes into the signed, expiring `state` that
   * `completeLink` checks against the user completing the Link (so nobody can complete a Link under
   * another user's account) and that `links.stateOwner` reads back. It is readable in the URL
   * (base64url): use an opaque id, not an email address.
   */
  userId?: string | undefined;
  /** An entity id (see `entities.list()`); skips the bank picker. */
  bank?: string | undefined;
  /** Your id for the user; Flanks stores it as the credential's and products' `external_id`. */
  externalId?: string | undefined;
  /** Redirect back with `?error=CODE` on failure: `true` for every error, or a list of codes. */
  rollback?: boolean | readonly string[] | undefined;
  /** Custom parameters; Flanks returns them under `extra` when the code is exchanged. */
  params?: Record<string, string | number | boolean> | undefined;
  /** How long the signed state stays valid, in ms: how long the user has to finish the Link. Default 1 hour. */
  stateTtlMs?: number | undefined;
  /**
   * Re-authenticates an existing credential instead of connecting a new one: its `reset_token`
   * (`{ resetToken }`, the user re-enters their password) or `sca_token` (`{ scaToken }`, the user
   * passes the bank's SCA), e.g. from `credentials.reauthToken()` or the `reauth` of a
   * `FlanksCredentialsBlockedError` / `FlanksScaRequiredError`. **Assumed**: Flanks does not document
   * how the token reaches the Link; the SDK adds it as the `reset_token` / `sca_token` query parameter.
   * See docs/reauthentication.md.
   */
  reauth?: ReauthToken | undefined;
  /**
   * Builds the URL without a signed state (and without `userId`). Its code can only be completed with
   * `completeLink({ dangerouslyAllowMissingState: true })`, which cannot tell who started it: whoever
   * brings the code back to your app gets the connection. Only for a Link you hand out outside your
   * app, whose codes you attribute some other way.
   */
  dangerouslyOmitState?: boolean | undefined;
}

/**
 * What `links.stateOwner` found: the user whose Link produced the code (verified by its signed
 * state), or why no user can be trusted for it.
 *
 * @example
 * ```ts
 * const owner: LinkStateOwner = flanks.links.stateOwner(unused);
 * if (!owner.ok) logger.warn(`unused code skipped: state ${owner.reason}`);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export type LinkStateOwner =
  | { ok: true; userId: string; reason?: undefined }
  | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'invalid'; userId?: undefined };

const RESERVED_LINK_PARAMS = new Set([
  'token',
  'bank',
  'external_id',
  'rollback',
  'code',
  'error',
  'state',
  'reset_token',
  'sca_token',
]);

// ---------------------------------------------------------------------------------------------
// Resource
// ---------------------------------------------------------------------------------------------

/**
 * Flanks Link: build the URL users open, read what they bring back, exchange the code, and manage
 * links with the Links API.
 *
 * @example
 * ```ts
 * const url = flanks.links.buildUrl({ token: LINK_TOKEN, userId: user.id, bank: 'testbank' });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/links-api
 */
export class Links extends Resource {
  readonly #linkBaseUrl: string;
  /** The key of signed link state (see internal/link-state.ts). */
  readonly #stateKey: Uint8Array;

  /** Built by FlanksClient: use `flanks.links`. @internal */
  constructor(transport: Transport, linkBaseUrl: string, stateKey: Uint8Array) {
    super(transport);
    this.#linkBaseUrl = linkBaseUrl;
    this.#stateKey = stateKey;
  }

  /** Where the Link UI lives; nothing secret. */
  override toJSON(): Record<string, unknown> {
    return { linkBaseUrl: this.#linkBaseUrl };
  }

  /**
   * Builds the Link URL to send a user to, with a signed, expiring `state` naming `userId` (see
   * {@link BuildLinkUrlParams.userId}). Pure: no request is made.
   *
   * @example
   * ```ts
   * res.redirect(flanks.links.buildUrl({ token: LINK_TOKEN, userId: req.user.id, params: { plan: 'pro' } }));
   * ```
   * @see https://docs.flanks.io/pages/flanks-link
   */
  buildUrl(params: BuildLinkUrlParams): string {
    const p = requireObject(params, 'params');
    const url = new URL(this.#linkBaseUrl);
    url.searchParams.set('token', requireString(p.token, 'params.token'));
    const bank = optionalString(p.bank, 'params.bank');
    if (bank !== undefined) url.searchParams.set('bank', bank);
    const externalId = optionalString(p.externalId, 'params.externalId');
    if (externalId !== undefined) url.searchParams.set('external_id', externalId);
    const rollback = p.rollback;
    if (rollback === true) url.searchParams.set('rollback', 'true');
    else if (Array.isArray(rollback) && rollback.length > 0) {
      for (const [i, c] of rollback.entries()) requireString(c, `params.rollback[${i}]`);
      url.searchParams.set('rollback', rollback.join(','));
    } else if (rollback !== undefined && rollback !== false && !Array.isArray(rollback)) {
      throw argumentError('params.rollback', 'must be a boolean or an array of Link error codes.');
    }
    const reauth = reauthField(p.reauth, 'params.reauth');
    if (reauth) url.searchParams.set(...reauth);
    for (const [key, value] of Object.entries(optionalObject(p.params, 'params.params') ?? {})) {
      if (RESERVED_LINK_PARAMS.has(key)) {
        throw argumentError(
          `params.params.${key}`,
          'is reserved by the Flanks Link; use the dedicated option or another name.',
        );
      }
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw argumentError(`params.params.${key}`, 'must be a string, number or boolean.');
      }
      url.searchParams.set(key, String(value));
    }
    const ttl = optionalNumber(p.stateTtlMs, 'params.stateTtlMs', { min: 1 }) ?? DEFAULT_STATE_TTL_MS;
    if (optionalBoolean(p.dangerouslyOmitState, 'params.dangerouslyOmitState')) {
      if (p.userId !== undefined) {
        throw argumentError(
          'params.userId',
          'has no effect with dangerouslyOmitState: the URL then names no user. Drop one of them.',
        );
      }
      return url.toString();
    }
    if (p.userId === undefined) {
      throw argumentError(
        'params.userId',
        'is required: it signs the Link for the user starting it, so completeLink can refuse a code brought back by anyone else (login CSRF).',
      );
    }
    const userId = requireUserId(p.userId, 'params.userId');
    url.searchParams.set('state', signLinkState(this.#stateKey, userId, ttl, Date.now()));
    return url.toString();
  }

  /**
   * Reads the redirect that brings the user back from the Link: a string URL (absolute, or a path
   * such as Node's `req.url`), a `URL`, a `Request`, or anything with a `url` string.
   *
   * @throws FlanksValidationError when the URL carries neither `code` nor `error`.
   * @example
   * ```ts
   * app.get('/flanks/callback', async (req, res) => {
   *   const redirect = flanks.links.parseRedirect(req.url);
   *   if (!redirect.ok) return res.redirect(`/connect?failed=${redirect.error}`);
   *   await flanks.completeLink({ code: redirect.code, userId: req.user.id });
   * });
   * ```
   * @see https://docs.flanks.io/pages/flanks-link
   */
  parseRedirect(input: RedirectInput): LinkRedirect {
    const url = redirectUrl(input);
    const params = Object.fromEntries(url.searchParams);
    const error = url.searchParams.get('error');
    if (error) return { ok: false, error, params };
    const code = url.searchParams.get('code');
    if (code) return { ok: true, code, params };
    throw argumentError(
      'input',
      '(the redirect URL) has neither a `code` nor an `error` query parameter: is this the Flanks Link redirect? Check the Redirect URI configured on the link.',
    );
  }

  /**
   * Exchanges a link code (single-use) for a `credentials_token`. Never retried once the request may
   * have reached Flanks: a replay of a used code would fail. It does not check who started the Link:
   * prefer `flanks.completeLink`, which checks the signed state and stores the token.
   *
   * @example
   * ```ts
   * const result = await flanks.links.exchangeCode(code);
   * if (result.status === 'delayed') return showLater();
   * await db.save(userId, result.body.credentials_token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/links-api
   */
  exchangeCode(code: string, options?: RequestOptions): APIPromise<LinkExchangeResult> {
    return this.call(async (call) => {
      requireString(code, 'code');
      // 202: the legacy docs say Flanks accepted the code but holds the token back while security
      // checks run (~72 h); its body is undocumented, so it is checked against a schema of its own.
      const { status, data } = await call.request({
        method: 'POST',
        path: '/v0/platform/link',
        body: { code },
        idempotent: false,
        secrets: [code],
        response: one('LinkExchange', LinkExchangeSchema),
        responseByStatus: { 202: one('LinkExchangeDelayed', LinkExchangeDelayedSchema) },
        options: checkRequestOptions(options),
      });
      return status === 202
        ? { status: 'delayed', body: data as LinkExchangeDelayed }
        : { status: 'ready', body: data };
    });
  }

  /**
   * Lists the links of your company.
   *
   * @example
   * ```ts
   * const links = await flanks.links.list();
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/links-api
   */
  list(options?: RequestOptions): APIPromise<Link[]> {
    return this.call(async (call) => {
      const { data } = await call.request({
        method: 'POST',
        path: '/v0/links/list-links',
        body: {},
        idempotent: true,
        response: many('Link', LinkSchema),
        unwrap: unwrapList,
        options: checkRequestOptions(options),
      });
      return data;
    });
  }

  /**
   * Creates a link. `name` must be unique in your company.
   *
   * @example
   * ```ts
   * const link = await flanks.links.create({ redirect_uri: 'https://app.example.com/flanks/callback', name: 'web' });
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/links-api
   */
  create(params: LinkCreateParams, options?: RequestOptions): APIPromise<Link> {
    return this.call(async (call) => {
      const body = requireObject(params, 'params');
      requireString(body.redirect_uri, 'params.redirect_uri');
      return this.#linkCall(call, '/v0/links/create-link', body, false, options);
    });
  }

  /**
   * Edits a link; `null` removes an optional field.
   *
   * @example
   * ```ts
   * await flanks.links.edit({ token: link.token, name: 'web-2026' });
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/links-api
   */
  edit(params: LinkEditParams, options?: RequestOptions): APIPromise<Link> {
    return this.call(async (call) => {
      const body = requireObject(params, 'params');
      requireString(body.token, 'params.token');
      return this.#linkCall(call, '/v0/links/edit-link', body, true, options);
    });
  }

  /**
   * Pauses a link: its URL stops accepting new users until resumed.
   *
   * @example
   * ```ts
   * const link = await flanks.links.pause(token); // link.active === false
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/links-api
   */
  pause(token: string, options?: RequestOptions): APIPromise<Link> {
    return this.call(async (call) =>
      this.#linkCall(call, '/v0/links/pause-link', { token: requireString(token, 'token') }, true, options),
    );
  }

  /**
   * Resumes a paused link.
   *
   * @example
   * ```ts
   * const link = await flanks.links.resume(token); // link.active === true
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/links-api
   */
  resume(token: string, options?: RequestOptions): APIPromise<Link> {
    return this.call(async (call) =>
      this.#linkCall(call, '/v0/links/resume-link', { token: requireString(token, 'token') }, true, options),
    );
  }

  /**
   * Deletes a link for good. Flanks refuses while the link has unexchanged codes.
   *
   * @example
   * ```ts
   * await flanks.links.delete(token);
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/links-api
   */
  delete(token: string, options?: RequestOptions): APIPromise<ActionResult> {
    return this.call(async (call) => {
      const { data } = await call.request({
        method: 'POST',
        path: '/v0/links/delete-link',
        body: { token: requireString(token, 'token') },
        idempotent: false,
        response: one('DeleteLinkResult', ActionResultSchema),
        options: checkRequestOptions(options),
      });
      return data;
    });
  }

  /**
   * Lists link codes that were issued but never exchanged, optionally for one link: a way to
   * recover users whose redirect never reached you.
   *
   * @example
   * ```ts
   * const codes = await flanks.links.unusedCodes({ linkToken: link.token });
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/links-api
   */
  unusedCodes(params: { linkToken?: string } = {}, options?: RequestOptions): APIPromise<UnusedCode[]> {
    return this.call(async (call) => {
      const p = requireObject(params, 'params');
      const { data } = await call.request({
        method: 'GET',
        path: '/v0/platform/link',
        query: { link_token: optionalString(p.linkToken, 'params.linkToken') },
        idempotent: true,
        response: many('UnusedCode', UnusedCodeSchema),
        unwrap: unwrapList,
        options: checkRequestOptions(options),
      });
      return data;
    });
  }

  /**
   * The user who started the Link that produced this code, read from its signed `state` and verified:
   * `{ ok: true, userId }`, or `{ ok: false, reason }` when the code carries no state, one not signed
   * by this application, or one past its `stateTtlMs`. Pure: no request is made. Use it to recover
   * codes whose redirect was lost (`links.unusedCodes()`), then `completeLink` with that user, which
   * checks the state again; never trust another parameter (`extra.user`, `external_id`): the user can
   * edit every one of them in the Link URL.
   *
   * @example
   * ```ts
   * for (const unused of await flanks.links.unusedCodes({ linkToken })) {
   *   const owner = flanks.links.stateOwner(unused);
   *   if (owner.ok) await flanks.completeLink({ code: unused.code, userId: owner.userId });
   * }
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/links-api
   */
  stateOwner(code: Pick<UnusedCode, 'extra'>): LinkStateOwner {
    const c = requireObject(code, 'code');
    const extra = isRecord(c.extra) ? c.extra : {};
    const reading = readLinkState(this.#stateKey, extra.state, Date.now());
    return reading.ok ? { ok: true, userId: reading.userId } : { ok: false, reason: reading.reason };
  }

  async #linkCall(
    call: Call,
    path: string,
    body: Record<string, unknown>,
    idempotent: boolean,
    options: RequestOptions | undefined,
  ): Promise<Link> {
    const { data } = await call.request({
      method: 'POST',
      path,
      body,
      idempotent,
      response: one('Link', LinkSchema),
      unwrap: unwrapData,
      options: checkRequestOptions(options),
    });
    return data;
  }
}

// The sandbox Link: the pages a user sees between your app and your redirect URI. Element names
// are stable so browser tests can drive them: `button[name=bank]`, `input[name=username]`,
// `input[name=password]`, `input[name=sca]`, `button[type=submit]` (the page's first is its main
// action), `button[name=cancel]`, `#error`.
//
// Cancel (every step has it) ends the Link with `ABORTED_BY_USER`: redirected as `?error=` when
// `rollback` names it (or is `true`), else a "cancelled" page with a way to start again. A Link URL
// with `reset_token=` / `sca_token=` re-authenticates an existing credential (rules in testbank.ts).

import { ENTITIES, type Entity, TESTBANK_ID } from './catalog';
import { escapeHtml, html, seeOther } from './http';
import { entityById, type LinkRecord, type Reauth, type SandboxState } from './state';
import { answerChallenge, type LoginOutcome, startScaReauth, submitLogin } from './testbank';
import type { SandboxLinkError } from './types';

export interface LinkCall {
  method: string;
  /** Path below the Link base: `''`, `/submit`, `/sca`, `/logos/<id>.svg`. */
  subpath: string;
  query: URLSearchParams;
  form: Record<string, string>;
}

/** Link URL params the Link consumes; every other param is custom and comes back as `extra`. */
const RESERVED = new Set(['token', 'bank', 'rollback', 'reset_token', 'sca_token']);

interface LinkParams {
  rollback: string | null;
  reauth: Reauth | null;
  extra: Record<string, string>;
}

function splitParams(search: URLSearchParams): LinkParams {
  const extra: Record<string, string> = {};
  for (const [key, value] of search) if (!RESERVED.has(key)) extra[key] = value;
  const reset = search.get('reset_token');
  const sca = search.get('sca_token');
  const reauth: Reauth | null = reset
    ? { kind: 'reset', token: reset }
    : sca
      ? { kind: 'sca', token: sca }
      : null;
  return { rollback: search.get('rollback'), reauth, extra };
}

/** The params travel through the forms as one query string, so no custom name can clash with ours. */
function encodeParams({ rollback, reauth, extra }: LinkParams): string {
  const search = new URLSearchParams(extra);
  if (rollback !== null) search.set('rollback', rollback);
  if (reauth) search.set(`${reauth.kind}_token`, reauth.token);
  return search.toString();
}

/** Whether the Link URL's `rollback` asks for this error to be redirected. */
function rollsBack(params: LinkParams, error: string): boolean {
  const rollback = params.rollback?.split(',').map((code) => code.trim()) ?? [];
  return rollback.includes('true') || rollback.includes(error);
}

export class Markup {
  constructor(readonly html: string) {}
}

function fragment(value: unknown): string {
  if (value instanceof Markup) return value.html;
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** Template tag that escapes every interpolation unless it is already markup. */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  return new Markup(strings.reduce((out, chunk, i) => out + fragment(values[i - 1]) + chunk));
}

export const ERROR_MESSAGES: Record<SandboxLinkError, string> = {
  INVALID_CREDENTIALS: 'The username or password is not correct.',
  INVALID_SCA: 'The verification code is not correct.',
  CREDENTIALS_ALREADY_EXIST: 'These credentials are already connected.',
  INTERNAL_ERROR: 'We could not reach your bank. Please try again later.',
  SCA_TYPE_NOT_ALLOWED: 'Your bank asked for a verification method that is not supported yet.',
  USER_INTERACTION_NEEDED: 'Your bank needs you to complete a step in its own app or website first.',
  ABORTED_BY_USER: 'You cancelled the connection. Nothing was shared.',
  INVALID_LINK: 'This link is not valid.',
  UNKNOWN_BANK: 'That bank is not available. Please choose one from the list.',
};

export const CHALLENGE_PROMPTS: Record<string, string> = {
  SCA_SMS: 'Enter the code we sent you by SMS.',
  SCA_EMAIL: 'Enter the code we sent to your email address.',
  SCA_CALL: 'Enter the code you heard on the phone call.',
  SCA_APP: 'Approve the access in your bank app, then enter any code to continue.',
  SCA_GOOGLE_AUTHENTICATOR: 'Enter the code shown in your authenticator app.',
  SCA_COORDINATE: 'Enter coordinate B4 from your coordinates card.',
  SCA_COORDINATE_CARD: 'Enter coordinate B4 from your coordinates card.',
};

const STYLE = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f3f4f8;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2333}
main{width:100%;max-width:420px;margin:24px;background:#fff;border-radius:16px;padding:32px;
box-shadow:0 10px 30px rgba(31,35,51,.08)}
.eyebrow{margin:0;font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:#6b7085}
h1{margin:4px 0 8px;font-size:22px}
.lead{margin:0 0 24px;color:#4b5064}
label{display:block;margin-bottom:16px;font-size:14px;font-weight:600}
input[type=text],input[type=password]{display:block;width:100%;margin-top:6px;padding:10px 12px;font:inherit;
border:1px solid #c9ccd8;border-radius:8px}
input:focus{outline:2px solid #4338ca;outline-offset:1px}
button[type=submit]{width:100%;padding:12px;font:inherit;font-weight:600;color:#fff;background:#4338ca;border:0;
border-radius:8px;cursor:pointer}
button[name=cancel]{margin-top:12px;color:#4b5064;background:transparent;border:1px solid #c9ccd8}
.banks{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.banks button[type=submit]{display:flex;align-items:center;gap:10px;padding:10px;color:#1f2333;background:#f7f7fb;
border:1px solid #e3e5ee;text-align:left;font-weight:500}
.banks button[type=submit]:hover{border-color:#4338ca}
.bank{display:flex;align-items:center;gap:10px;margin-bottom:20px;font-weight:600}
.error{margin:0 0 20px;padding:10px 12px;border-radius:8px;background:#fdecec;color:#9b1c1c}
.hint{margin:16px 0 0;font-size:13px;color:#6b7085}
.hint code{font-size:12px}
footer{margin-top:24px;font-size:12px;color:#6b7085}
footer a{color:inherit}
`;

export function logoSvg(entity: Entity): string {
  const initials = entity.name
    .split(/\s+/)
    .filter((word) => /^[A-Z0-9]/.test(word))
    .map((word) => word[0])
    .join('')
    .slice(0, 2);
  return h`<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="8" fill="${entity.color}"/><text x="16" y="21" text-anchor="middle" font-family="system-ui,sans-serif" font-size="13" font-weight="700" fill="#fff">${initials}</text></svg>`
    .html;
}

/** A sandbox page: `link` gives the company line and legal links; the Connect widget passes its own. */
export function page(
  title: string,
  link: Pick<LinkRecord, 'companyName' | 'termsUrl' | 'privacyUrl'> | null,
  content: Markup,
  status = 200,
  product = 'Flanks Link',
): Response {
  const company = link?.companyName ?? 'This service';
  const legal = [
    link?.termsUrl ? h`<a href="${link.termsUrl}">Terms and conditions</a>` : null,
    link?.privacyUrl ? h`<a href="${link.privacyUrl}">Privacy policy</a>` : null,
  ].filter((item) => item !== null);
  return html(
    h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new Markup(STYLE)}</style>
</head>
<body>
<main>
<p class="eyebrow">${product} · sandbox</p>
<h1>${title}</h1>
${link ? h`<p class="lead">${company} uses Flanks to read your bank and investment data.</p>` : ''}
${content}
<footer>Secured by Flanks. This is a sandbox: no real bank is contacted.${legal.length > 0 ? h` ${legal.map((item, i) => (i === 0 ? item : h` · ${item}`))}` : ''}</footer>
</main>
</body>
</html>
`.html,
    status,
  );
}

/** Under TestBank's login form: how to simulate bank behaviour. */
export function testbankHint(bank: Entity): Markup | string {
  return bank.id === TESTBANK_ID
    ? h`<p class="hint">TestBank accepts any username and password. Special passwords such as <code>INVALID_CREDENTIALS</code>, <code>SCA_SMS</code> or <code>DATA_ERROR_PRODUCT_ACCOUNT</code> simulate bank behaviour.</p>`
    : '';
}

export function errorBox(message: string | null): Markup | string {
  return message === null ? '' : h`<p id="error" class="error" role="alert">${message}</p>`;
}

export function hiddenFields(fields: Record<string, string>): Markup[] {
  return Object.entries(fields).map(
    ([name, value]) => h`<input type="hidden" name="${name}" value="${value}">`,
  );
}

/** The Cancel button: its own form after the page's main one, posting `fields` to `action`. */
export function cancelForm(action: string, fields: Record<string, string>): Markup {
  return h`<form method="post" action="${action}">${hiddenFields(fields)}<button type="submit" name="cancel" value="1">Cancel</button></form>`;
}

class LinkPages {
  constructor(private readonly state: SandboxState) {}

  private get base(): string {
    return this.state.config.linkBaseUrl;
  }

  notFound(message: string): Response {
    return page('Link unavailable', null, h`<p id="error" class="error" role="alert">${message}</p>`, 404);
  }

  /** A re-authentication token no credential holds (unknown, or used already). */
  reauthGone(link: LinkRecord): Response {
    return page(
      'Link expired',
      link,
      h`<p id="error" class="error" role="alert">This reconnection link has expired or was already used. Please go back to ${link.companyName ?? 'the service that sent you here'} and start again.</p>`,
      410,
    );
  }

  private cancel(link: LinkRecord, params: LinkParams, challengeId?: string): Markup {
    const fields: Record<string, string> = { token: link.token, link_params: encodeParams(params) };
    if (challengeId !== undefined) fields.challenge = challengeId;
    return cancelForm(`${this.base}/cancel`, fields);
  }

  bankPicker(link: LinkRecord, params: LinkParams, error: string | null): Response {
    const carried = new URLSearchParams(encodeParams(params));
    carried.set('token', link.token);
    return page(
      'Choose your bank',
      link,
      h`${errorBox(error)}<form method="get" action="${this.base}">${hiddenFields(Object.fromEntries(carried))}
<div class="banks">${ENTITIES.map(
        (e) =>
          h`<button type="submit" name="bank" value="${e.id}">${new Markup(logoSvg(e))}<span>${e.name}</span></button>`,
      )}</div></form>
${this.cancel(link, params)}`,
    );
  }

  /** The login form; a reset re-authentication shows the credential's username and no bank switch. */
  login(link: LinkRecord, bank: Entity, params: LinkParams, error: string | null, username = ''): Response {
    const back = new URLSearchParams(encodeParams(params));
    back.set('token', link.token);
    const reauth = params.reauth !== null;
    return page(
      reauth ? `Reconnect ${bank.name}` : `Sign in to ${bank.name}`,
      link,
      h`${errorBox(error)}${reauth ? h`<p class="hint">Your bank asks you to sign in again to keep this connection working.</p>` : ''}<div class="bank">${new Markup(logoSvg(bank))}<span>${bank.name}</span></div>
<form method="post" action="${this.base}/submit">${hiddenFields({ token: link.token, bank: bank.id, link_params: encodeParams(params) })}
<label>Username<input type="text" name="username" value="${username}" autocomplete="username" required></label>
<label>Password<input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Connect</button>
</form>
${this.cancel(link, params)}
${testbankHint(bank)}
${reauth ? '' : h`<p class="hint"><a href="${this.base}?${back.toString()}">Choose another bank</a></p>`}`,
    );
  }

  challenge(
    link: LinkRecord,
    bank: Entity,
    params: LinkParams,
    challengeId: string,
    type: string,
    error: string | null = null,
  ): Response {
    const prompt =
      CHALLENGE_PROMPTS[type] ?? `Your bank asks for an extra verification (${type}). Enter the code.`;
    return page(
      'Verify it is you',
      link,
      h`${errorBox(error)}<div class="bank">${new Markup(logoSvg(bank))}<span>${bank.name}</span></div>
<form method="post" action="${this.base}/sca">${hiddenFields({ challenge: challengeId, token: link.token, bank: bank.id, link_params: encodeParams(params) })}
<label>${prompt}<input type="text" name="sca" inputmode="numeric" autocomplete="one-time-code" required></label>
<button type="submit">Verify</button>
</form>
${this.cancel(link, params, challengeId)}`,
    );
  }

  /** The user pressed Cancel: redirected when `rollback` allows it, else told so on the page. */
  cancelled(link: LinkRecord, params: LinkParams): Response {
    const redirected = this.rollback(link, params, 'ABORTED_BY_USER');
    if (redirected) return redirected;
    const again = new URLSearchParams(encodeParams(params));
    again.set('token', link.token);
    return page(
      'Connection cancelled',
      link,
      h`<p id="error" class="error" role="alert">${ERROR_MESSAGES.ABORTED_BY_USER}</p>
<p class="hint"><a href="${this.base}?${again.toString()}">Start again</a></p>`,
    );
  }

  /** `redirect_uri?error=CODE&<custom params>` when `rollback` asks for this error, else `undefined`. */
  private rollback(link: LinkRecord, params: LinkParams, error: SandboxLinkError): Response | undefined {
    if (!rollsBack(params, error)) return undefined;
    const target = new URL(link.redirectUri);
    target.searchParams.set('error', error);
    for (const [key, value] of Object.entries(params.extra)) target.searchParams.set(key, value);
    return seeOther(target.href);
  }

  /** Success redirects with the code; failures redirect only when `rollback` asks for it. */
  outcome(link: LinkRecord, bank: Entity, params: LinkParams, outcome: LoginOutcome): Response {
    if (outcome.kind === 'challenge')
      return this.challenge(link, bank, params, outcome.challengeId, outcome.challenge);
    if (outcome.kind === 'code') {
      const target = new URL(link.redirectUri);
      target.searchParams.set('code', outcome.code);
      return seeOther(target.href);
    }
    if (outcome.error === 'INVALID_LINK') return this.reauthGone(link);
    const message = ERROR_MESSAGES[outcome.error];
    return (
      this.rollback(link, params, outcome.error) ??
      (params.reauth
        ? this.reauth(link, params.reauth, params, message)
        : this.login(link, bank, params, message))
    );
  }

  /** Opens a re-authentication: the credential's login (reset) or straight to an SCA challenge. */
  reauth(link: LinkRecord, reauth: Reauth, params: LinkParams, error: string | null): Response {
    const target = this.state.reauthTarget(link.clientId, reauth);
    const own = target && entityById(target.bank);
    if (!target || !own) return this.reauthGone(link);
    if (reauth.kind === 'reset') return this.login(link, own, params, error, target.username);
    const outcome = startScaReauth(this.state, {
      clientId: link.clientId,
      linkToken: link.token,
      bank: own.id,
      username: target.username,
      password: '',
      extra: params.extra,
      reauth,
    });
    if (outcome.kind !== 'challenge') return this.reauthGone(link);
    return this.challenge(link, own, params, outcome.challengeId, outcome.challenge, error);
  }
}

export function handleLink(state: SandboxState, call: LinkCall): Response {
  const pages = new LinkPages(state);
  const logo = /^\/logos\/([a-z0-9-]+)\.svg$/.exec(call.subpath);
  if (logo && call.method === 'GET') {
    const entity = entityById(logo[1] ?? '');
    if (!entity) return pages.notFound('Unknown logo.');
    return new Response(logoSvg(entity), { headers: { 'content-type': 'image/svg+xml' } });
  }
  const fields = call.method === 'GET' ? Object.fromEntries(call.query) : call.form;
  const link = state.links.get(fields.token ?? '');
  if (!link) return pages.notFound(ERROR_MESSAGES.INVALID_LINK);
  if (!link.active) return pages.notFound('This link is paused. Please ask the service that sent you here.');
  const params =
    call.method === 'GET' ? splitParams(call.query) : splitParams(new URLSearchParams(fields.link_params));
  const bank = fields.bank ? entityById(fields.bank) : undefined;

  switch (`${call.method} ${call.subpath}`) {
    case 'GET ': {
      // The bank is the credential's: a re-authentication never shows the picker.
      if (params.reauth) return pages.reauth(link, params.reauth, params, null);
      if (!bank) return pages.bankPicker(link, params, fields.bank ? ERROR_MESSAGES.UNKNOWN_BANK : null);
      return pages.login(link, bank, params, null);
    }
    case 'POST /submit': {
      if (!bank) return pages.bankPicker(link, params, ERROR_MESSAGES.UNKNOWN_BANK);
      const outcome = submitLogin(state, {
        clientId: link.clientId,
        linkToken: link.token,
        bank: bank.id,
        username: fields.username?.trim() ?? '',
        password: fields.password ?? '',
        extra: params.extra,
        reauth: params.reauth ?? undefined,
      });
      return pages.outcome(link, bank, params, outcome);
    }
    case 'POST /sca': {
      if (!bank) return pages.bankPicker(link, params, ERROR_MESSAGES.UNKNOWN_BANK);
      const outcome = answerChallenge(state, fields.challenge ?? '', fields.sca?.trim() ?? '');
      if (!outcome) {
        const expired = 'This verification step has expired. Please sign in again.';
        return params.reauth
          ? pages.reauth(link, params.reauth, params, expired)
          : pages.login(link, bank, params, expired);
      }
      return pages.outcome(link, bank, params, outcome);
    }
    case 'POST /cancel': {
      if (fields.challenge) state.challenges.delete(fields.challenge);
      return pages.cancelled(link, params);
    }
    default:
      return pages.notFound('This page does not exist.');
  }
}

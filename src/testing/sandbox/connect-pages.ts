// The sandbox Connect widget: the pages a Connect v2 session's URL opens, under the Link base at
// `/connect`. Same look and the same stable element names as the Link pages (link-pages.ts), so
// one scripted browser drives both: `button[name=bank]`, `input[name=username]`,
// `input[name=password]`, `input[name=sca]`, `button[type=submit]` (the page's first is its main
// action), `button[name=cancel]`, `#error`. The session token travels in a hidden `session` field.
// The session logic itself is in connect.ts.

import { ENTITIES, type Entity } from './catalog';
import {
  answerSessionChallenge,
  cancelSession,
  type SessionRecord,
  type SessionStep,
  sessionByWidgetToken,
  submitSessionLogin,
} from './connect';
import { seeOther } from './http';
import {
  CHALLENGE_PROMPTS,
  cancelForm,
  ERROR_MESSAGES,
  errorBox,
  h,
  hiddenFields,
  type LinkCall,
  logoSvg,
  Markup,
  page,
  testbankHint,
} from './link-pages';
import { entityById, type SandboxState } from './state';

const PRODUCT = 'Flanks Connect';

class WidgetPages {
  constructor(
    private readonly state: SandboxState,
    private readonly session: SessionRecord,
  ) {}

  private get base(): string {
    return `${this.state.config.linkBaseUrl}/connect`;
  }

  private get brand() {
    return { companyName: null, termsUrl: null, privacyUrl: this.session.privacyUrl };
  }

  private hidden(extra: Record<string, string> = {}): Markup[] {
    return hiddenFields({ session: this.session.widgetToken, ...extra });
  }

  private get cancel(): Markup {
    return cancelForm(`${this.base}/cancel`, { session: this.session.widgetToken });
  }

  bankPicker(error: string | null): Response {
    return page(
      'Choose your bank',
      this.brand,
      h`${errorBox(error)}<form method="get" action="${this.base}">${this.hidden()}
<div class="banks">${ENTITIES.map(
        (e) =>
          h`<button type="submit" name="bank" value="${e.id}">${new Markup(logoSvg(e))}<span>${e.name}</span></button>`,
      )}</div></form>
${this.cancel}`,
      200,
      PRODUCT,
    );
  }

  login(bank: Entity, error: string | null): Response {
    const back = new URLSearchParams({ session: this.session.widgetToken });
    const reauth = this.session.reauth;
    // A reset re-authentication signs in to the connection's own login.
    const username = (reauth && this.state.credentials.get(reauth.credentialsToken)?.username) ?? '';
    return page(
      reauth ? `Reconnect ${bank.name}` : `Sign in to ${bank.name}`,
      this.brand,
      h`${errorBox(error)}<div class="bank">${new Markup(logoSvg(bank))}<span>${bank.name}</span></div>
<form method="post" action="${this.base}/submit">${this.hidden({ bank: bank.id })}
<label>Username<input type="text" name="username" value="${username}" autocomplete="username" required></label>
<label>Password<input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Connect</button>
</form>
${this.cancel}
${testbankHint(bank)}
${this.session.connectorId === null ? h`<p class="hint"><a href="${this.base}?${back.toString()}">Choose another bank</a></p>` : ''}`,
      200,
      PRODUCT,
    );
  }

  challenge(bank: Entity, type: string): Response {
    const prompt =
      CHALLENGE_PROMPTS[type] ?? `Your bank asks for an extra verification (${type}). Enter the code.`;
    return page(
      'Verify it is you',
      this.brand,
      h`<div class="bank">${new Markup(logoSvg(bank))}<span>${bank.name}</span></div>
<form method="post" action="${this.base}/challenge">${this.hidden()}
<label>${prompt}<input type="text" name="sca" inputmode="numeric" autocomplete="one-time-code" required></label>
<button type="submit">Verify</button>
</form>
${this.cancel}`,
      200,
      PRODUCT,
    );
  }

  next(bank: Entity, step: SessionStep): Response {
    if (step.kind === 'redirect') return seeOther(step.location);
    if (step.kind === 'challenge') return this.challenge(bank, step.challenge);
    return step.error === 'UNKNOWN_BANK'
      ? this.bankPicker(ERROR_MESSAGES.UNKNOWN_BANK)
      : this.login(bank, null);
  }
}

function gone(message: string, status: number): Response {
  return page(
    'Session unavailable',
    null,
    h`<p id="error" class="error" role="alert">${message}</p>`,
    status,
    PRODUCT,
  );
}

/** Answers a request under `<linkBaseUrl>/connect`, or `undefined` for any other Link path. */
export function handleConnectWidget(state: SandboxState, call: LinkCall): Response | undefined {
  if (call.subpath !== '/connect' && !call.subpath.startsWith('/connect/')) return undefined;
  const fields = call.method === 'GET' ? Object.fromEntries(call.query) : call.form;
  const session = sessionByWidgetToken(state, fields.session ?? '');
  if (!session) return gone('This connection link is not valid.', 404);
  if (!session.status.startsWith('Waiting:')) {
    return gone('This connection link has already been used. Please go back and start again.', 410);
  }
  const pages = new WidgetPages(state, session);
  const chosen = session.connectorId ?? fields.bank;
  const bank = chosen ? entityById(chosen) : undefined;

  switch (`${call.method} ${call.subpath}`) {
    case 'GET /connect': {
      if (session.status === 'Waiting:Challenge' && session.pendingLogin) {
        const pending = entityById(session.pendingLogin.bank);
        if (pending) return pages.challenge(pending, session.pendingLogin.challenge);
      }
      if (!bank) return pages.bankPicker(chosen ? ERROR_MESSAGES.UNKNOWN_BANK : null);
      return pages.login(bank, null);
    }
    case 'POST /connect/submit': {
      if (!bank) return pages.bankPicker(ERROR_MESSAGES.UNKNOWN_BANK);
      if (session.status !== 'Waiting:ProvideCredentials') return pages.login(bank, null);
      const step = submitSessionLogin(state, session, {
        bank: bank.id,
        username: fields.username?.trim() ?? '',
        password: fields.password ?? '',
      });
      return pages.next(bank, step);
    }
    case 'POST /connect/challenge': {
      const pending = session.pendingLogin ? entityById(session.pendingLogin.bank) : undefined;
      if (session.status !== 'Waiting:Challenge' || !pending)
        return gone('This verification step has expired.', 410);
      return pages.next(pending, answerSessionChallenge(state, session, fields.sca?.trim() ?? ''));
    }
    case 'POST /connect/cancel':
      return seeOther(cancelSession(session));
    default:
      return gone('This page does not exist.', 404);
  }
}

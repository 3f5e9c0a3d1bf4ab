import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/testing';
import { type ApiClient, apiClient, errorText, inputValue, postForm } from './helpers';

let running: RunningSandbox;
let api: ApiClient;
let callback: Server;
let callbackUrl: string;
const callbacks: URLSearchParams[] = [];

beforeAll(async () => {
  // A stand-in for the integrator's app, so redirects can be followed like a browser would.
  callback = createServer((req, res) => {
    callbacks.push(new URL(req.url ?? '/', 'http://callback').searchParams);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('connected');
  });
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/flanks/callback`;
  running = await startSandbox({ defaultRedirectUri: callbackUrl });
  api = apiClient(running.url);
});
afterAll(async () => {
  await running.close();
  callback.closeAllConnections();
  await new Promise((resolve) => callback.close(resolve));
});
beforeEach(async () => {
  running.sandbox.reset();
  callbacks.length = 0;
  await api.token();
});

async function openLogin(
  params: Record<string, string> = {},
): Promise<{ html: string; fields: Record<string, string> }> {
  const page = await fetch(running.sandbox.linkUrl({ bank: 'testbank', ...params }));
  expect(page.status).toBe(200);
  const html = await page.text();
  const fields: Record<string, string> = {};
  for (const name of ['token', 'bank', 'link_params']) fields[name] = inputValue(html, name) ?? '';
  return { html, fields };
}

async function submit(password: string, params: Record<string, string> = {}, username = 'maria') {
  const { fields } = await openLogin(params);
  return postForm(`${running.linkBaseUrl}/submit`, { ...fields, username, password });
}

/** Asserts a redirect to the callback with exactly these query parameters. */
function expectCallback(response: Response, params: Record<string, string>): void {
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(callbackUrl);
  expect(Object.fromEntries(location.searchParams)).toEqual(params);
}

function codeFrom(response: Response): string {
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(callbackUrl);
  return location.searchParams.get('code') ?? '';
}

/** Answers the SCA challenge a page shows, sending back the fields the page carries. */
function answerSca(html: string, sca: string): Promise<Response> {
  const fields = ['challenge', 'token', 'bank', 'link_params'].map((name) => [
    name,
    inputValue(html, name) ?? '',
  ]);
  return postForm(`${running.linkBaseUrl}/sca`, { ...Object.fromEntries(fields), sca });
}

describe('Link page', () => {
  it('shows a bank picker when no bank is given', async () => {
    const page = await fetch(running.sandbox.linkUrl({ external_id: 'u1' }));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<button type="submit" name="bank" value="testbank">');
    expect(html).toContain('value="santander"');
    expect(inputValue(html, 'token')).toBe(running.sandbox.defaultLink.token);
    expect(inputValue(html, 'external_id')).toBe('u1');
    expect(html).not.toMatch(/<(link|script|img)\b/);
  });

  it('shows the login form for the chosen bank', async () => {
    const { html, fields } = await openLogin({ campaign: 'spring', rollback: 'true' });
    expect(html).toContain(`action="${running.linkBaseUrl}/submit"`);
    expect(html).toMatch(/<input type="text" name="username"/);
    expect(html).toMatch(/<input type="password" name="password"/);
    expect(html).toContain('<button type="submit">');
    expect(fields.bank).toBe('testbank');
    expect(new URLSearchParams(fields.link_params)).toEqual(
      new URLSearchParams({ campaign: 'spring', rollback: 'true' }),
    );
    expect(errorText(html)).toBeUndefined();
  });

  it('escapes everything it echoes', async () => {
    const hostile = '"><script>alert(1)</script>';
    const picker = await (await fetch(running.sandbox.linkUrl({ note: hostile }))).text();
    expect(picker).not.toContain('<script>');
    expect(picker).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(inputValue(picker, 'note')).toBe(hostile);
    const { html } = await openLogin({ note: hostile });
    expect(html).not.toContain('<script>');
  });

  it('answers 404 for an unknown or paused link', async () => {
    const unknown = await fetch(`${running.linkBaseUrl}?token=nope&bank=testbank`);
    expect(unknown.status).toBe(404);
    expect(errorText(await unknown.text())).toBe('This link is not valid.');
    await api.post('/v0/links/pause-link', { token: running.sandbox.defaultLink.token });
    const paused = await fetch(running.sandbox.linkUrl({ bank: 'testbank' }));
    expect(paused.status).toBe(404);
    expect(errorText(await paused.text())).toContain('paused');
  });
});

describe('Link flow over HTTP', () => {
  it('connects, redirects with a single-use code, and returns custom params as extra', async () => {
    const response = await submit('correct-horse', { external_id: 'user-42', campaign: 'spring' });
    const code = codeFrom(response);
    expect(code).not.toBe('');

    const followed = await fetch(response.headers.get('location') ?? '');
    expect(await followed.text()).toBe('connected');
    expect(callbacks[0]?.get('code')).toBe(code);

    const exchanged = await api.post('/v0/platform/link', { code });
    expect(exchanged.body).toMatchObject({
      credentials_token: expect.any(String),
      extra: { external_id: 'user-42', campaign: 'spring' },
      link_token: running.sandbox.defaultLink.token,
    });
    expect((await api.post('/v0/platform/link', { code })).body).toEqual({ error: 'Invalid code' });
    const list = await api.post('/v0/bank/credentials/list', { page: 1 });
    expect(list.body.items).toEqual([
      {
        credentials_token: exchanged.body.credentials_token,
        external_id: 'user-42',
        bank: 'testbank',
        status: 'pending',
      },
    ]);
  });

  it('follows the whole flow with redirect: follow, like a browser', async () => {
    const { fields } = await openLogin();
    const landed = await fetch(`${running.linkBaseUrl}/submit`, {
      method: 'POST',
      body: new URLSearchParams({ ...fields, username: 'lucia', password: 'pw' }),
    });
    expect(landed.url.startsWith(callbackUrl)).toBe(true);
    const code = callbacks[0]?.get('code') ?? '';
    expect((await api.post('/v0/platform/link', { code })).status).toBe(200);
  });

  it('runs an SCA step and accepts any ordinary answer', async () => {
    const challenge = await submit('SCA_SMS');
    expect(challenge.status).toBe(200);
    const html = await challenge.text();
    expect(html).toContain(`action="${running.linkBaseUrl}/sca"`);
    expect(html).toMatch(/<input type="text" name="sca"/);
    expect(html).toContain('SMS');
    expect(html).not.toContain('SCA_SMS"'); // the password is not carried in the page
    const answered = await answerSca(html, '123456');
    expect((await api.post('/v0/platform/link', { code: codeFrom(answered) })).status).toBe(200);
  });

  it.each(['INVALID_SCA', 'INTERNAL_ERROR', 'USER_INTERACTION_NEEDED'])(
    'fails the SCA step with %s and shows the error',
    async (answer) => {
      const html = await (await submit('SCA_APP')).text();
      const fields = Object.fromEntries(
        ['challenge', 'token', 'bank', 'link_params'].map((name) => [name, inputValue(html, name) ?? '']),
      );
      const failed = await postForm(`${running.linkBaseUrl}/sca`, { ...fields, sca: answer });
      expect(failed.status).toBe(200);
      expect(errorText(await failed.text())).toBeTruthy();
      const reused = await postForm(`${running.linkBaseUrl}/sca`, { ...fields, sca: '123456' });
      expect(errorText(await reused.text())).toContain('expired');
      expect(running.sandbox.defaultLink.pending_code_count).toBe(0);
    },
  );

  it('chains SCA challenges when another SCA trigger is typed in', async () => {
    const first = await (await submit('SCA_SMS')).text();
    const fields = (html: string) =>
      Object.fromEntries(
        ['challenge', 'token', 'bank', 'link_params'].map((name) => [name, inputValue(html, name) ?? '']),
      );
    const second = await postForm(`${running.linkBaseUrl}/sca`, { ...fields(first), sca: 'SCA_EMAIL' });
    const secondHtml = await second.text();
    expect(secondHtml).toContain('email');
    const done = await postForm(`${running.linkBaseUrl}/sca`, { ...fields(secondHtml), sca: '000000' });
    expect(codeFrom(done)).not.toBe('');
  });

  it('redirects failures with error and custom params when rollback=true', async () => {
    const response = await submit('INVALID_CREDENTIALS', {
      rollback: 'true',
      campaign: 'spring',
      external_id: 'u9',
    });
    expectCallback(response, { error: 'INVALID_CREDENTIALS', campaign: 'spring', external_id: 'u9' });
  });

  it('redirects only the error codes a rollback list names', async () => {
    const listed = await submit('INTERNAL_ERROR', { rollback: 'INVALID_CREDENTIALS,INTERNAL_ERROR' });
    expect(new URL(listed.headers.get('location') ?? '').searchParams.get('error')).toBe('INTERNAL_ERROR');
    const unlisted = await submit('USER_INTERACTION_NEEDED', { rollback: 'INVALID_CREDENTIALS' });
    expect(unlisted.status).toBe(200);
    expect(errorText(await unlisted.text())).toContain('own app');
  });

  it.each([
    ['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS'],
    ['INTERNAL_ERROR', 'INTERNAL_ERROR'],
    ['SCA_TYPE_NOT_ALLOWED', 'SCA_TYPE_NOT_ALLOWED'],
    ['USER_INTERACTION_NEEDED', 'USER_INTERACTION_NEEDED'],
    ['ALREADY_EXISTS', 'CREDENTIALS_ALREADY_EXIST'],
  ])('TestBank password %s fails with %s and creates no credential', async (password, error) => {
    const response = await submit(password, { rollback: 'true' });
    expect(new URL(response.headers.get('location') ?? '').searchParams.get('error')).toBe(error);
    expect((await api.post('/v0/bank/credentials/list', { page: 1 })).body.items).toEqual([]);
  });

  it('re-renders the form with a readable error when no rollback is set', async () => {
    const response = await submit('INVALID_CREDENTIALS');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(errorText(html)).toBe('The username or password is not correct.');
    expect(html).toMatch(/name="password"/);
  });

  it('refuses the same username at the same bank twice', async () => {
    codeFrom(await submit('pw', {}, 'same-user'));
    const again = await submit('pw', { rollback: 'true' }, 'same-user');
    expect(new URL(again.headers.get('location') ?? '').searchParams.get('error')).toBe(
      'CREDENTIALS_ALREADY_EXIST',
    );
  });
});

describe('connect()', () => {
  it('mirrors the Link without HTML', () => {
    const { sandbox } = running;
    expect(sandbox.connect({ password: 'INVALID_CREDENTIALS' })).toEqual({ error: 'INVALID_CREDENTIALS' });
    expect(sandbox.connect({ password: 'SCA_SMS', scaAnswer: 'INVALID_SCA' })).toEqual({
      error: 'INVALID_SCA',
    });
    expect(sandbox.connect({ password: 'SCA_SMS', scaAnswer: ['SCA_EMAIL', '1234'] })).toEqual({
      code: expect.any(String),
    });
    expect(sandbox.connect({ linkToken: 'nope' })).toEqual({ error: 'INVALID_LINK' });
    expect(sandbox.connect({ bank: 'nobank' })).toEqual({ error: 'UNKNOWN_BANK' });
    expect(sandbox.connect({ username: 'dup' })).toHaveProperty('code');
    expect(sandbox.connect({ username: 'dup' })).toEqual({ error: 'CREDENTIALS_ALREADY_EXIST' });
    expect(sandbox.connect({ username: 'dup', bank: 'bbva' })).toHaveProperty('code');
  });

  it('createCredential() refuses passwords that need the Link', () => {
    expect(() => running.sandbox.createCredential({ password: 'SCA_SMS' })).toThrow(/connect\(\)/);
    expect(() => running.sandbox.createCredential({ password: 'INVALID_CREDENTIALS' })).toThrow(
      /connect\(\)/,
    );
  });
});

/** The fields of a page's Cancel form. */
function cancelFields(html: string): Record<string, string> {
  const form = /<form method="post" action="[^"]*\/cancel">([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
  expect(form).toContain('<button type="submit" name="cancel"');
  const fields: Record<string, string> = {};
  for (const name of ['token', 'link_params', 'challenge']) {
    const value = inputValue(form, name);
    if (value !== undefined) fields[name] = value;
  }
  return fields;
}

async function cancelAt(html: string): Promise<Response> {
  return postForm(`${running.linkBaseUrl}/cancel`, cancelFields(html));
}

describe('Cancel', () => {
  it('every step has a Cancel button after its main form', async () => {
    const picker = await (await fetch(running.sandbox.linkUrl({ rollback: 'true' }))).text();
    const { html: login } = await openLogin({ rollback: 'true' });
    const challenge = await (await submit('SCA_SMS', { rollback: 'true' })).text();
    for (const html of [picker, login, challenge]) {
      expect(html.indexOf('name="cancel"')).toBeGreaterThan(html.indexOf('<button type="submit"'));
      expect(cancelFields(html).token).toBe(running.sandbox.defaultLink.token);
    }
    expect(cancelFields(challenge).challenge).toEqual(expect.any(String));
  });

  it('redirects with error=ABORTED_BY_USER and the custom params when rollback=true', async () => {
    const { html } = await openLogin({ rollback: 'true', campaign: 'spring', external_id: 'u7' });
    expectCallback(await cancelAt(html), { error: 'ABORTED_BY_USER', campaign: 'spring', external_id: 'u7' });
    expect((await api.post('/v0/bank/credentials/list', { page: 1 })).body.items).toEqual([]);
  });

  it('redirects when a rollback list names ABORTED_BY_USER, not when it names other codes only', async () => {
    const listed = await cancelAt(
      (await openLogin({ rollback: 'INVALID_CREDENTIALS,ABORTED_BY_USER' })).html,
    );
    expect(new URL(listed.headers.get('location') ?? '').searchParams.get('error')).toBe('ABORTED_BY_USER');
    const unlisted = await cancelAt((await openLogin({ rollback: 'INVALID_CREDENTIALS' })).html);
    expect(unlisted.status).toBe(200);
    expect(errorText(await unlisted.text())).toBe('You cancelled the connection. Nothing was shared.');
  });

  it('without rollback it stays on a "cancelled" page that can start again', async () => {
    const response = await cancelAt((await openLogin({ campaign: 'spring' })).html);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(errorText(html)).toContain('cancelled');
    const again = /<a href="([^"]+)">Start again<\/a>/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? '';
    expect(Object.fromEntries(new URL(again).searchParams)).toEqual({
      token: running.sandbox.defaultLink.token,
      campaign: 'spring',
    });
    expect(callbacks).toEqual([]);
  });

  it('at the SCA step it discards the challenge: no code can come out of it', async () => {
    const html = await (await submit('SCA_SMS', { rollback: 'true' })).text();
    const cancelled = await cancelAt(html);
    expect(new URL(cancelled.headers.get('location') ?? '').searchParams.get('error')).toBe(
      'ABORTED_BY_USER',
    );
    const answered = await answerSca(html, '123456');
    expect(errorText(await answered.text())).toContain('expired');
    expect(running.sandbox.defaultLink.pending_code_count).toBe(0);
  });

  it('connect({ cancel: true }) mirrors it without HTML', () => {
    expect(running.sandbox.connect({ cancel: true })).toEqual({ error: 'ABORTED_BY_USER' });
    expect(running.sandbox.defaultLink.pending_code_count).toBe(0);
  });
});

describe('sandbox-only passwords', () => {
  it('SANDBOX_SCA_REQUIRED connects, then the bank asks for SCA once the extraction ends', async () => {
    const token = await api.exchange(codeFrom(await submit('SANDBOX_SCA_REQUIRED')));
    const status = await api.settle(token);
    expect(status).toMatchObject({ pending: false, blocked: false, sca_token: expect.any(String) });
    expect(status.reset_token).toBeNull();
  });

  it('SANDBOX_PENDING never ends its first extraction, until stayPending(token, 0)', async () => {
    const token = await api.exchange(codeFrom(await submit('SANDBOX_PENDING')));
    await expect(api.settle(token, 50)).rejects.toThrow('still pending');
    running.sandbox.stayPending(token, 0);
    expect((await api.settle(token)).pending).toBe(false);
    expect(running.sandbox.createCredential({ password: 'SANDBOX_PENDING' })).toEqual(expect.any(String));
  });
});

describe("re-authentication through the Link (the SDK's assumption, modelled)", () => {
  /** A settled credential connected through the Link as `username`, then blocked. */
  async function blockedCredential(username = 'ana'): Promise<{ token: string; resetToken: string }> {
    const token = await api.exchange(codeFrom(await submit('correct-horse', {}, username)));
    await api.settle(token);
    running.sandbox.block(token);
    const status = await api.post('/v0/bank/credentials/status', { credentials_token: token });
    return { token, resetToken: status.body.reset_token };
  }

  function reauthUrl(params: Record<string, string>): string {
    return running.sandbox.linkUrl({ rollback: 'true', ...params });
  }

  it("reset_token opens the credential's own bank login, username filled in, no bank switch", async () => {
    const { resetToken } = await blockedCredential('ana');
    const page = await fetch(reauthUrl({ reset_token: resetToken, bank: 'bbva' }));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Reconnect TestBank');
    expect(inputValue(html, 'bank')).toBe('testbank');
    expect(inputValue(html, 'username')).toBe('ana');
    expect(html).not.toContain('Choose another bank');
    expect(new URLSearchParams(inputValue(html, 'link_params')).get('reset_token')).toBe(resetToken);
  });

  it('logging in again updates the same credential: its code exchanges for the same token', async () => {
    const { token, resetToken } = await blockedCredential('ana');
    const page = await (await fetch(reauthUrl({ reset_token: resetToken, campaign: 'winback' }))).text();
    const fields = Object.fromEntries(
      ['token', 'bank', 'link_params', 'username'].map((name) => [name, inputValue(page, name) ?? '']),
    );
    const response = await postForm(`${running.linkBaseUrl}/submit`, { ...fields, password: 'new-password' });
    const exchanged = await api.post('/v0/platform/link', { code: codeFrom(response) });
    expect(exchanged.body.credentials_token).toBe(token);
    expect(exchanged.body.extra).toEqual({ campaign: 'winback' }); // the token is not echoed back
    const status = await api.post('/v0/bank/credentials/status', { credentials_token: token });
    expect(status.body).toMatchObject({ pending: true, blocked: false, reset_token: null, sca_token: null });
    expect((await api.settle(token)).blocked).toBe(false);
    const list = await api.post('/v0/bank/credentials/list', { page: 1 });
    expect(list.body.items.map((c: { credentials_token: string }) => c.credentials_token)).toEqual([token]);
  });

  it('another username is refused as INVALID_CREDENTIALS; the token stays usable', async () => {
    const { token, resetToken } = await blockedCredential('ana');
    const page = await (await fetch(reauthUrl({ reset_token: resetToken }))).text();
    const fields = Object.fromEntries(
      ['token', 'bank', 'link_params'].map((n) => [n, inputValue(page, n) ?? '']),
    );
    const wrong = await postForm(`${running.linkBaseUrl}/submit`, {
      ...fields,
      username: 'eve',
      password: 'pw',
    });
    expect(new URL(wrong.headers.get('location') ?? '').searchParams.get('error')).toBe(
      'INVALID_CREDENTIALS',
    );
    const right = await postForm(`${running.linkBaseUrl}/submit`, {
      ...fields,
      username: 'ana',
      password: 'pw',
    });
    expect(await api.exchange(codeFrom(right))).toBe(token);
  });

  it('a used or unknown reset_token is an expired-link page (410), nothing redirected or created', async () => {
    const { resetToken } = await blockedCredential('ana');
    expect(running.sandbox.connect({ resetToken, password: 'pw' })).toHaveProperty('code');
    for (const token of [resetToken, 'rt-unknown']) {
      const page = await fetch(reauthUrl({ reset_token: token }));
      expect(page.status).toBe(410);
      expect(errorText(await page.text())).toContain('expired or was already used');
    }
    expect(running.sandbox.connect({ resetToken, password: 'pw' })).toEqual({ error: 'INVALID_LINK' });
    expect((await api.post('/v0/bank/credentials/list', { page: 1 })).body.items).toHaveLength(1);
    expect(callbacks).toEqual([]);
  });

  it('sca_token opens straight on an SCA challenge; passing it clears the token and refreshes', async () => {
    const token = await api.exchange(codeFrom(await submit('SANDBOX_SCA_REQUIRED', {}, 'bea')));
    const { sca_token: scaToken } = await api.settle(token);
    const page = await fetch(reauthUrl({ sca_token: scaToken }));
    const html = await page.text();
    expect(html).toContain(`action="${running.linkBaseUrl}/sca"`);
    expect(html).not.toMatch(/name="password"/);
    const answered = await answerSca(html, '123456');
    expect(await api.exchange(codeFrom(answered))).toBe(token);
    const settled = await api.settle(token);
    expect(settled).toMatchObject({ sca_token: null, blocked: false });
  });

  it('a failed SCA answer is redirected with rollback, else asked again; the token stays', async () => {
    const token = running.sandbox.createCredential({ pendingPolls: 0, username: 'cai' });
    running.sandbox.requireSca(token);
    const scaToken = (await api.post('/v0/bank/credentials/status', { credentials_token: token })).body
      .sca_token;
    const answer = async (params: Record<string, string>, sca: string) => {
      const html = await (await fetch(running.sandbox.linkUrl({ sca_token: scaToken, ...params }))).text();
      return answerSca(html, sca);
    };
    const redirected = await answer({ rollback: 'true' }, 'INVALID_SCA');
    expect(new URL(redirected.headers.get('location') ?? '').searchParams.get('error')).toBe('INVALID_SCA');
    const again = await (await answer({}, 'INVALID_SCA')).text();
    expect(errorText(again)).toBe('The verification code is not correct.');
    expect(again).toMatch(/name="sca"/);
    expect(running.sandbox.connect({ scaToken, scaAnswer: '000000' })).toHaveProperty('code');
  });
});

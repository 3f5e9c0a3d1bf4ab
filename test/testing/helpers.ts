import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../../src/testing';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field.
export type Json = any;

export interface ApiResult<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

/** A deliberately thin fetch wrapper: the SDK under test elsewhere must not be needed here. */
export function apiClient(baseUrl: string) {
  let accessToken: string | undefined;

  async function call<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    token = accessToken,
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  return {
    call,
    post: <T = Json>(path: string, body: unknown = {}, token?: string) =>
      call<T>('POST', path, body, token ?? accessToken),
    async token(clientId = SANDBOX_CLIENT_ID, clientSecret = SANDBOX_CLIENT_SECRET): Promise<string> {
      const result = await call('POST', '/v0/token', {
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: 'client_credentials',
      });
      if (result.status !== 200) throw new Error(`token: HTTP ${result.status}`);
      accessToken = result.body.access_token as string;
      return accessToken;
    },
    /** Exchanges a link code for its credentials token. */
    async exchange(code: string): Promise<string> {
      const result = await call('POST', '/v0/platform/link', { code });
      if (result.status !== 200) throw new Error(`exchange: HTTP ${result.status}`);
      return result.body.credentials_token as string;
    },
    /** Polls status until `pending` is false. */
    async settle(credentialsToken: string, maxPolls = 20): Promise<Json> {
      for (let i = 0; i < maxPolls; i++) {
        const status = await call('POST', '/v0/bank/credentials/status', {
          credentials_token: credentialsToken,
        });
        if (status.body.pending === false) return status.body;
      }
      throw new Error('still pending');
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** Value of the first `<input name="…">` in a page, with HTML entities decoded. */
export function inputValue(html: string, name: string): string | undefined {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  return match?.[1]
    ?.replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

export function errorText(html: string): string | undefined {
  return /<p id="error"[^>]*>([^<]*)<\/p>/.exec(html)?.[1];
}

/** Posts a Link form the way a browser would, without following the redirect. */
export function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

/*
 * Redaction rules. Secrets leave the SDK only in the request that needs them:
 * - Body keys named like a secret (`client_secret`, `access_token`, `credentials_token`, the force
 *   tokens, passwords) are replaced wherever they occur in an object graph. `code` is not such a key:
 *   Flanks uses it for error codes; a link code is caught by value instead (it is a secret of the call).
 * - Secret *values* the SDK knows (the client secret, live access tokens, the credentials token or
 *   link code of the current call) are replaced inside any string, so an API that echoes a token
 *   inside a message ("Invalid token ct_123") cannot leak it either.
 * Redaction always works on a copy; the caller's objects are never mutated.
 */

const REDACTED = '[REDACTED]';

const SECRET_KEYS = new Set([
  'client_secret',
  'clientsecret',
  'access_token',
  'accesstoken',
  'refresh_token',
  'credentials_token',
  'credentialstoken',
  // Connect v2 calls a credential a connection; its id is assumed to be the credentials token.
  'connection_id',
  // The v2 and report filter on connections: a list of credentials tokens.
  'connection_id_in',
  'reset_token',
  'sca_token',
  'transaction_token',
  'password',
  'authorization',
  'state',
]);

/** Values shorter than this are not scrubbed from strings: too likely to hit innocent text. */
const MIN_SECRET_LENGTH = 4;

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

export function redactString(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

export function redactValue(value: unknown, secrets: Iterable<string>, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 20) return '[Truncated]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // Keys are scrubbed too: `{ "errors": { "<token>": "invalid" } }` is a real error shape.
    out[redactString(key, secrets)] =
      isSecretKey(key) && v != null ? REDACTED : redactValue(v, secrets, depth + 1);
  }
  return out;
}

/**
 * Turns any thrown value into a plain, secret-free `{ name, message, code? }` summary suitable as an
 * error `cause`: network errors from undici carry socket details, never bodies, but user-supplied
 * `fetch` implementations may put anything in a message.
 */
export function redactCause(cause: unknown, secrets: Iterable<string>, seen = new Set<Error>()): unknown {
  if (!(cause instanceof Error)) return redactValue(cause, secrets);
  // A chain that loops back (a → b → a) is followed once round.
  seen.add(cause);
  const list = [...secrets];
  const summary: { name: string; message: string; code?: string; cause?: unknown } = {
    name: cause.name,
    message: redactString(cause.message, list),
  };
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') summary.code = code;
  const inner = (cause as { cause?: unknown }).cause;
  if (inner !== undefined && !seen.has(inner as Error)) summary.cause = redactCause(inner, list, seen);
  return summary;
}

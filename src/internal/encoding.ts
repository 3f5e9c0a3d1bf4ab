/*
 * The one base64url codec (RFC 4648 §5, no padding) of the SDK and its sandbox, on Web-standard
 * `btoa`/`atob` so it runs on every runtime (Buffer is Node-only). `fromBase64Url` also reads
 * standard base64 and tolerates padding; it throws on anything else (callers turn that into their
 * own error).
 */

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, ''));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

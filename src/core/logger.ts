/**
 * A console-like logger. The SDK logs request lines at `debug`, retries at `info`, schema
 * mismatches at `warn`; never bodies, never secrets.
 *
 * @example
 * ```ts
 * const flanks = new FlanksClient({ logger: pino() });           // any console-like object
 * const quiet = new FlanksClient({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export interface Logger {
  debug(message: string, ...meta: unknown[]): void;
  info(message: string, ...meta: unknown[]): void;
  warn(message: string, ...meta: unknown[]): void;
  error(message: string, ...meta: unknown[]): void;
}

/** Default logger: silent for debug/info, console for warn/error. */
export const defaultLogger: Logger = {
  debug() {},
  info() {},
  warn: (message, ...meta) => console.warn(message, ...meta),
  error: (message, ...meta) => console.error(message, ...meta),
};

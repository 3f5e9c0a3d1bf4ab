/**
 * The flanks-sdk version, sent in the `User-Agent` header.
 *
 * @example
 * ```ts
 * logger.info(`flanks-sdk ${VERSION}`);
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/authentication
 */
export const VERSION = '0.1.0';

import { FlanksError } from '../core/errors';

/*
 * Optional peer dependencies are loaded when a feature that needs them is used, never when a module
 * is imported: an application without them must still import every entry point (flanks-sdk/testing
 * without msw, for one). A peer that is not installed becomes a FlanksError naming the package to
 * install. Any other failure while loading it (a broken install, a module that throws) is rethrown
 * unchanged, since "install it" would be the wrong advice.
 */

/**
 * Loads the optional peer `name` with `load`, which must be a literal `() => import('name')` so that
 * bundlers and both builds (ESM and CommonJS) resolve it the way the application does. `feature`
 * names what needs it, for the error message.
 */
export async function loadPeer<T>(name: string, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isNotInstalled(error, name)) throw error;
    throw new FlanksError(
      `${feature} needs ${name}, an optional peer dependency of flanks-sdk that is not installed. Install it: npm install ${name}`,
      { cause: error },
    );
  }
}

/** Node's "cannot find" error (ESM and CommonJS wording) for `name` itself, not for a file inside it. */
function isNotInstalled(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return (
    typeof message === 'string' &&
    (message.includes(`Cannot find package '${name}'`) || message.includes(`Cannot find module '${name}'`))
  );
}

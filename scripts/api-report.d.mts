/** One entry point of package.json "exports" and the report that records its API. */
export interface ApiEntryPoint {
  /** The report's base name: `flanks-sdk`, `flanks-sdk-stores-postgres`. */
  name: string;
  /** The subpath as in "exports": `.`, `./stores/postgres`. */
  subpath: string;
  /** Absolute path of its built ESM declarations. */
  types: string;
}

export function entryPoints(exportsField?: Record<string, unknown>): ApiEntryPoint[];

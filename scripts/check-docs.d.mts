/** What `checkProject` found: problems that fail the check, those of pending files, and counts. */
export interface DocsCheck {
  problems: string[];
  pending: string[];
  counts: { exports: number; members: number; examples: number; sees: number; schemaTypes: number };
}

export function sourceFiles(dir: string): string[];
export function inferredTypes(texts: Iterable<string>): Map<string, string>;
export function checkProject(
  project: unknown,
  options?: { inferred?: Map<string, string>; pending?: readonly string[] },
): DocsCheck;

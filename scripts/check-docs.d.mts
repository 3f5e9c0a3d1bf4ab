/** What `checkProject` found: the problems that fail the check, and counts for the summary line. */
export interface DocsCheck {
  problems: string[];
  counts: { exports: number; members: number; examples: number; sees: number; schemaTypes: number };
}

export function sourceFiles(dir: string): string[];
export function inferredTypes(texts: Iterable<string>): Map<string, string>;
export function tsdocLines(text: string): { doc: number; lines: number };
export function checkProject(project: unknown, options?: { inferred?: Map<string, string> }): DocsCheck;

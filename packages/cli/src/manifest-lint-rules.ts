import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Manifest } from '@orbit-agents/core/manifest';

/** One finding of `orbit manifest lint`. */
export interface LintProblem {
  readonly path: string;
  readonly message: string;
  readonly fix: string;
  readonly severity: 'error' | 'warning';
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  description?: string;
}

let schema: SchemaNode | undefined;
/** The manifest's JSON Schema, as `@orbit-agents/core` ships it (one source of truth for field names). */
function manifestJsonSchema(): SchemaNode {
  schema ??= JSON.parse(
    readFileSync(
      createRequire(import.meta.url).resolve('@orbit-agents/core/agent-manifest.schema.json'),
      'utf8',
    ),
  ) as SchemaNode;
  return schema;
}

/** The schema node at a core issue path (`allowed_tools[1].conditions[0]`), if the path names one. */
function nodeAt(path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = manifestJsonSchema();
  if (path === '(root)' || path === '') return node;
  for (const segment of path.split('.')) {
    const [, name, indices = ''] = /^([^[]*)((?:\[\d+\])*)$/.exec(segment) ?? [];
    if (name === undefined) return undefined;
    if (name !== '') node = node?.properties?.[name];
    for (let i = indices.split('[').length - 1; i > 0; i--) node = node?.items;
    if (node === undefined) return undefined;
  }
  return node;
}

/** `a.b[2].c` → `a.b[2]`; a top-level field → `(root)`. */
function parentPath(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot === -1 ? '(root)' : path.slice(0, dot);
}

const lastField = (path: string): string => path.slice(path.lastIndexOf('.') + 1).replace(/\[\d+\]$/, '');

/** A fix for one of the core's `ManifestError` issues: what to change, in a sentence. */
export function fixFor(path: string, message: string): string {
  const unknown = /^unknown field "(.*)"/.exec(message);
  if (unknown) {
    const allowed = Object.keys(nodeAt(parentPath(path))?.properties ?? {});
    return allowed.length > 0
      ? `remove "${unknown[1]}" or rename it; the fields allowed at ${parentPath(path)} are: ${allowed.join(', ')}`
      : `remove "${unknown[1]}"`;
  }
  if (message.includes('a tool is either allowed or blocked'))
    return 'remove the tool from explicitly_blocked_tools (to allow it) or from allowed_tools (to block it)';
  if (message.startsWith('expected each tool once'))
    return 'merge the two entries into one (one name, one set of limits), or remove one of them';
  if (message.startsWith("expected a condition of ORBIT's CEL subset"))
    return 'write a CEL expression over args in ORBIT\'s subset, e.g. "args.amount > 500" or "args.id.matches(\'^A-[0-9]+$\')" (see the Conditions section of @orbit-agents/core\'s README)';
  if (message.startsWith('expected exactly one of pause_when, block_when, require'))
    return 'split it into one condition per expression, each with its own name';
  if (/\.resources\[\d+\]$/.test(path)) {
    const hint = message.includes('; ') ? message.slice(message.lastIndexOf('; ') + 2) : undefined;
    return hint
      ? `correct the pattern: ${hint}`
      : 'correct the pattern (see "Resource patterns" in the core README); escape a literal ?[]{}|\\ with \\';
  }
  if (message.includes('a sub-agent never gets a tool its parent lacks'))
    return 'add the tool to allowed_tools, or remove it from the profile';
  if (message.startsWith('The manifest is not valid YAML'))
    return 'fix the YAML syntax at the line and column named (indentation, a missing ":" or an unclosed quote)';
  if (/received undefined$/.test(message)) return `add the required field "${lastField(path)}"`;
  const description = nodeAt(path)?.description;
  if (description) return `${lastField(path)}: ${description.split('\n')[0]}`;
  return `correct ${path}: run "orbit manifest schema" for every field's type and range`;
}

/** Things that load but are likely mistakes: warnings, not errors. */
export function warningsFor(manifest: Manifest): LintProblem[] {
  const warnings: LintProblem[] = [];
  if (manifest.manifest_version === undefined) {
    warnings.push({
      path: 'manifest_version',
      message:
        'no manifest_version: it counts as version 0, and is refused once a versioned manifest of this agent was loaded',
      fix: 'add "manifest_version: 1" and raise it with every change',
      severity: 'warning',
    });
  }
  manifest.allowed_tools.forEach((tool, index) => {
    const tiers = [tool.reversibility, ...(tool.reversibility_when ?? []).map((rule) => rule.reversibility)];
    if (tool.escalation !== true && tool.reversibility === undefined) {
      warnings.push({
        path: `allowed_tools[${index}].reversibility`,
        message: `"${tool.name}" sets no reversibility: it is treated as partial`,
        fix: 'set reversibility: read_only, reversible, partial or irreversible',
        severity: 'warning',
      });
    }
    if (
      manifest.maturity_level === 4 &&
      tool.escalation !== true &&
      tiers.includes('irreversible') &&
      tool.confidence_threshold === undefined
    ) {
      const fallback = manifest.interruption_policy.default_confidence_threshold ?? 0.85;
      warnings.push({
        path: `allowed_tools[${index}].confidence_threshold`,
        message: `"${tool.name}" is irreversible at maturity level 4, where it runs without a person above its threshold, and it sets none (the default ${fallback} applies)`,
        fix: 'set confidence_threshold for this tool explicitly (e.g. 0.95), or run at maturity_level 3 so its calls pause for a person',
        severity: 'warning',
      });
    }
  });
  return warnings;
}

import { resolve } from 'node:path';
import { ManifestError } from '@orbit-agents/core/errors';
import { type Manifest, parseManifest } from '@orbit-agents/core/manifest';
import { EXIT } from '../cli-error.js';
import type { Command } from '../command.js';
import { emit, styleOf } from '../io.js';
import { fixFor, type LintProblem, warningsFor } from '../manifest-lint-rules.js';
import { onePositional, readTextFile } from '../read-input.js';

/** `orbit manifest lint`: every problem of a manifest with its path and a fix, without a signature check. */
export const manifestLint: Command = {
  path: ['manifest', 'lint'],
  summary: 'explain every problem of a manifest, with its path and a fix (no signature check)',
  usage: [
    'orbit manifest lint <manifest.yaml> [--strict]',
    '',
    'Loads the manifest as @orbit-agents/core does (no signature check) and lists every error with its path',
    'and a fix, then warnings: what loads but is likely a mistake (no manifest_version, a tool without a',
    'reversibility, an irreversible tool at maturity level 4 without its own confidence_threshold).',
    '',
    'Options:',
    '  --strict   warnings fail too (exit 1)',
    '  --json     print { file, ok, errors, warnings, problems: [{ path, message, fix, severity }] }',
    '',
    'Exit codes: 0 no errors (warnings only, unless --strict); 1 problems found; 2 usage; 3 unreadable file.',
  ].join('\n'),
  options: { strict: { type: 'boolean' } },
  async run({ values, positionals }, io) {
    const file = onePositional(positionals, '<manifest.yaml>', 'manifest lint <manifest.yaml>');
    const path = resolve(io.cwd, file);
    const text = readTextFile(path, 'manifest');
    const problems: LintProblem[] = [];
    let manifest: Manifest | undefined;
    try {
      manifest = parseManifest(text).manifest;
    } catch (error) {
      if (!ManifestError.isInstance(error)) throw error;
      // A YAML error has no issues; its message quotes the source over several lines: keep the first.
      const issues =
        error.issues.length > 0
          ? error.issues
          : [{ path: '(root)', message: (error.message.split('\n')[0] ?? '').replace(/:$/, '') }];
      for (const issue of issues) {
        problems.push({ ...issue, fix: fixFor(issue.path, issue.message), severity: 'error' });
      }
    }
    if (manifest) problems.push(...warningsFor(manifest));
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.length - errors;
    const failed = errors > 0 || (values.strict === true && warnings > 0);
    const style = styleOf(io);
    emit(io, { file: path, ok: !failed, errors, warnings, problems }, () => {
      const lines = problems.flatMap((p) => [
        `${p.severity === 'error' ? style.red('error  ') : style.yellow('warning')}  ${style.bold(p.path)}: ${p.message}`,
        `         fix: ${p.fix}`,
      ]);
      const summary =
        problems.length === 0
          ? `${style.green('ok')}  ${file}: no problems`
          : `${file}: ${errors} error(s), ${warnings} warning(s)`;
      return [...lines, summary].join('\n');
    });
    return failed ? EXIT.FAILED : EXIT.OK;
  },
};

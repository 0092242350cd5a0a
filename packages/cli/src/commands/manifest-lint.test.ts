import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleManifest, tempDir } from '../../test/fixtures.js';
import { runOrbit } from '../../test/run-orbit.js';

const HEAD = `agent_id: "x"
owner_team: "t"
deployed_at: "2026-05-01T09:00:00Z"
task_scope: "s"
`;

function file(text: string): string {
  const path = join(tempDir(), 'agent-manifest.yaml');
  writeFileSync(path, text);
  return path;
}

describe('orbit manifest lint', () => {
  it('passes a clean manifest with exit 0', () => {
    const manifest = exampleManifest(tempDir());
    const run = runOrbit(['manifest', 'lint', manifest]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`ok  ${manifest}: no problems\n`);
    expect(JSON.parse(runOrbit(['manifest', 'lint', manifest, '--json']).stdout)).toMatchObject({
      ok: true,
      errors: 0,
      warnings: 0,
      problems: [],
    });
  });

  it('explains every error with its path and a fix (exit 1): unknown fields, bad patterns, bad CEL, a missing field', () => {
    const path = file(`${HEAD}colour: red
allowed_tools:
  - name: "refund"
    max_calls_per_run: 5
    resourcs: ["a"]
    resources: ["order:#W[0-9]{7"]
    conditions:
      - name: big
        pause_when: "args.amount >"
`);
    const run = runOrbit(['manifest', 'lint', path, '--json']);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ ok: false, errors: 5, warnings: 0 });
    const byPath = Object.fromEntries(out.problems.map((p: { path: string }) => [p.path, p]));
    expect(Object.keys(byPath).sort()).toEqual([
      'allowed_tools[0].conditions[0].pause_when',
      'allowed_tools[0].resources[0]',
      'allowed_tools[0].resourcs',
      'colour',
      'interruption_policy',
    ]);
    expect(byPath['allowed_tools[0].resourcs'].fix).toContain(
      'the fields allowed at allowed_tools[0] are: name, max_calls_per_run, max_calls_per_resource, reversibility',
    );
    expect(byPath.colour.fix).toContain('the fields allowed at (root) are: agent_id, manifest_version');
    expect(byPath['allowed_tools[0].resources[0]']).toMatchObject({
      message: '"order:#W[0-9]{7": unclosed "{" at character 14; counted repetition is {n}, {n,m} or {n,}',
      fix: 'correct the pattern: counted repetition is {n}, {n,m} or {n,}',
      severity: 'error',
    });
    expect(byPath['allowed_tools[0].conditions[0].pause_when'].message).toContain(
      "expected a condition of ORBIT's CEL subset",
    );
    expect(byPath['allowed_tools[0].conditions[0].pause_when'].fix).toContain('args.amount > 500');
    expect(byPath.interruption_policy.fix).toBe('add the required field "interruption_policy"');
    const text = runOrbit(['manifest', 'lint', path]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('error    colour: unknown field "colour"');
    expect(text.stdout).toContain('         fix: remove "colour" or rename it');
    expect(text.stdout).toMatch(/: 5 error\(s\), 0 warning\(s\)\n$/);
  });

  it('names a tool both allowed and blocked, with the fix', () => {
    const manifest = exampleManifest(tempDir());
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace('- "delete_invoice"', '- "search_crm_accounts"'),
    );
    const out = JSON.parse(runOrbit(['manifest', 'lint', manifest, '--json']).stdout);
    expect(out.problems).toEqual([
      {
        path: 'explicitly_blocked_tools[1]',
        message:
          'expected a tool that is not allowed, but "search_crm_accounts" is also allowed_tools[0]: a tool is either allowed or blocked',
        fix: 'remove the tool from explicitly_blocked_tools (to allow it) or from allowed_tools (to block it)',
        severity: 'error',
      },
    ]);
  });

  it('warns (exit 0, or 1 with --strict) about what loads but is likely a mistake', () => {
    const path = file(`${HEAD}maturity_level: 4
allowed_tools:
  - name: "pay"
    max_calls_per_run: 5
    reversibility: irreversible
  - name: "look"
    max_calls_per_run: 5
interruption_policy:
  confidence_floor: 0.7
`);
    const run = runOrbit(['manifest', 'lint', path, '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ ok: true, errors: 0, warnings: 3 });
    expect(out.problems.map((p: { path: string; severity: string }) => [p.path, p.severity])).toEqual([
      ['manifest_version', 'warning'],
      ['allowed_tools[0].confidence_threshold', 'warning'],
      ['allowed_tools[1].reversibility', 'warning'],
    ]);
    expect(out.problems[1].message).toContain('"pay" is irreversible at maturity level 4');
    expect(runOrbit(['manifest', 'lint', path, '--strict']).code).toBe(1);
  });

  it('reports YAML that does not parse (exit 1) and an unreadable file (exit 3)', () => {
    const path = file('a: [\n');
    const run = runOrbit(['manifest', 'lint', path, '--json']);
    expect(run.code).toBe(1);
    const [problem] = JSON.parse(run.stdout).problems;
    expect(problem.path).toBe('(root)');
    expect(problem.message).toMatch(/^The manifest is not valid YAML: .*line 2, column 1$/);
    const missing = runOrbit(['manifest', 'lint', '/nonexistent/m.yaml']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe(
      'orbit: cannot read the manifest /nonexistent/m.yaml: the file does not exist.\n',
    );
    expect(runOrbit(['manifest', 'lint']).code).toBe(2);
  });
});

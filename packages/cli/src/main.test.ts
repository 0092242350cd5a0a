import { describe, expect, it } from 'vitest';
import { runOrbit } from '../test/run-orbit.js';

describe('the orbit binary', () => {
  it('lists its commands with --help and with no arguments, and exits 0', () => {
    for (const args of [['--help'], []]) {
      const run = runOrbit(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('orbit manifest schema');
      expect(run.stdout).toContain('Exit codes:');
    }
  });

  it('refuses an unknown command or option with a message and exit code 2, never a stack trace', () => {
    const unknown = runOrbit(['manfest', 'sign']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'orbit: unknown command "manfest sign". Run "orbit --help" for the list of commands.\n',
    );
    const option = runOrbit(['manifest', 'schema', '--frobnicate']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(
      /^orbit: Unknown option '--frobnicate'\. Run "orbit manifest schema --help"\.\n$/,
    );
    expect(option.stderr).not.toMatch(/\n\s+at /);
  });

  it('takes --json before the command, too', () => {
    const run = runOrbit(['--json', 'manifest', 'schema', '--frobnicate']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'ERR_USAGE' } });
  });

  it('reports an error as JSON on standard output with --json', () => {
    const run = runOrbit(['manifest', 'schema', '--frobnicate', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'ERR_USAGE' } });
  });

  it("prints the manifest's JSON Schema", () => {
    const run = runOrbit(['manifest', 'schema']);
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout);
    expect(schema.properties.allowed_tools).toBeDefined();
    expect(runOrbit(['manifest', 'schema', '--help']).stdout).toContain('orbit manifest schema');
  });
});

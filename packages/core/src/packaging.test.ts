import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built package as a user installs it: these tests read dist/ (turbo builds before testing).
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The ioredis modules a fresh Node process has loaded after importing `specifier` of the built package. */
function ioredisModulesAfter(specifier: string): number {
  const script = `
    const { createRequire } = await import('node:module');
    await import(${JSON.stringify(specifier)});
    const cache = createRequire(import.meta.url).cache;
    console.log(Object.keys(cache).filter((file) => file.includes('/ioredis/')).length);
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir });
  return Number(out.toString().trim());
}

describe('the published surface', () => {
  it('importing @orbit-agents/core loads no ioredis; only the Redis subpath does', () => {
    expect(ioredisModulesAfter('@orbit-agents/core')).toBe(0);
    expect(ioredisModulesAfter('@orbit-agents/core/stores/sqlite')).toBe(0);
    expect(ioredisModulesAfter('@orbit-agents/core/stores/redis')).toBeGreaterThan(0);
  });

  it('a small app using the core passes a strict tsc without skipLibCheck', () => {
    const app = mkdtempSync(join(tmpdir(), 'orbit-strict-app-'));
    mkdirSync(join(app, 'node_modules', '@orbit-agents'), { recursive: true });
    symlinkSync(packageDir, join(app, 'node_modules', '@orbit-agents', 'core'));
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          types: [],
        },
        files: ['app.ts'],
      }),
    );
    writeFileSync(join(app, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      join(app, 'app.ts'),
      `import { createOrbit, defineTool, loadManifest, RunHaltedError, type AnyOrbitError } from '@orbit-agents/core';
import { handleCall, RunRegistry } from '@orbit-agents/core/adapter';
import { SqliteStore } from '@orbit-agents/core/stores/sqlite';
import { computeMetrics } from '@orbit-agents/core/metrics';
import { z } from 'zod';

export async function main(yaml: string): Promise<string> {
  const orbit = createOrbit({ manifest: await loadManifest({ manifest: yaml, allowUnsigned: true }) });
  const tool = defineTool({ name: 'read', input: z.object({ id: z.string() }), execute: ({ id }) => id });
  const registry = new RunRegistry<string>(orbit);
  void [handleCall, SqliteStore, computeMetrics, registry];
  try {
    const result = await orbit.startRun().execute(tool, { id: 'a', confidence: 0.9 });
    return result.status;
  } catch (caught) {
    if (RunHaltedError.isInstance(caught)) return caught.decision.reasons.join(',');
    const error = caught as AnyOrbitError;
    return error.code;
  }
}
`,
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    // zod is the app's own dependency, as the quick start installs it.
    symlinkSync(
      dirname(createRequire(join(packageDir, 'package.json')).resolve('zod/package.json')),
      join(app, 'node_modules', 'zod'),
    );
    const run = () => execFileSync(process.execPath, [tsc, '-p', app], { encoding: 'utf8' });
    expect(run).not.toThrow();
  }, 60_000);
});

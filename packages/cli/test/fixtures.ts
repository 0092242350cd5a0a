import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOrbit } from './run-orbit.js';

/** A fresh temporary directory for one test. */
export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'orbit-cli-'));

/** The invoice example's manifest (signed, versioned, valid), copied into `dir` as `name`. */
export function exampleManifest(dir: string, name = 'agent-manifest.yaml'): string {
  const source = fileURLToPath(
    new URL('../../../examples/invoice-reconciliation/agent-manifest.yaml', import.meta.url),
  );
  const path = join(dir, name);
  writeFileSync(path, readFileSync(source, 'utf8'));
  return path;
}

/** A key pair made by the real `orbit keygen` in `dir`: its kid and PEM paths. */
export function keyPair(dir: string, kid: string): { kid: string; privateKey: string; publicKey: string } {
  const run = runOrbit(['keygen', '--out', dir, '--kid', kid, '--json']);
  if (run.code !== 0) throw new Error(`orbit keygen failed: ${run.stderr}`);
  const { private_key, public_key } = JSON.parse(run.stdout);
  return { kid, privateKey: private_key, publicKey: public_key };
}

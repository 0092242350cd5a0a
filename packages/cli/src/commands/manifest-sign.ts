import { createPublicKey } from 'node:crypto';
import { realpathSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadManifest, signManifest } from '@orbit-agents/core/manifest';
import { CliError, EXIT, usageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { emit } from '../io.js';
import { publicJwk, readPrivateKey, thumbprint } from '../keys.js';
import { manifestFailure } from '../manifest-errors.js';
import { onePositional, readTextFile, stringOption } from '../read-input.js';

/** `orbit manifest sign`: the deploy step, `signManifest` from a terminal or a pipeline. */
export const manifestSign: Command = {
  path: ['manifest', 'sign'],
  summary: 'sign a manifest (a compact JWS file next to it) and print its digest',
  usage: [
    'orbit manifest sign <manifest.yaml> --key <private.pem> [--kid <id>] [--out <file>]',
    '',
    "Validates the manifest and signs its canonical JSON as @orbit-agents/core's signManifest does: a compact",
    'JWS (EdDSA/Ed25519, kid and typ orbit-manifest+jws headers), written to its own file (the manifest is',
    "not changed). Pass that file's content as loadManifest({ manifest, signature, trustedKeys }).",
    '',
    'Options:',
    '  --key <file>   the Ed25519 private key (PEM, from "orbit keygen")',
    "  --kid <id>     the key id written to the JWS header; default: the key's JWK thumbprint (as orbit keygen)",
    '  --out <file>   where to write the JWS; default: <manifest>.jws; "-": standard output (the JWS only)',
    '  --json         print { file, signature_file, agent_id, manifest_version, digest, kid } as JSON',
    '',
    'Exit codes: 0 signed; 2 usage; 3 an unreadable or invalid manifest (every problem with its path), or a',
    'key that is not an Ed25519 private key.',
  ].join('\n'),
  options: { key: { type: 'string' }, kid: { type: 'string' }, out: { type: 'string' } },
  async run({ values, positionals }, io) {
    const file = onePositional(
      positionals,
      '<manifest.yaml>',
      'manifest sign <manifest.yaml> --key <private.pem>',
    );
    const keyPath = stringOption(values, 'key');
    if (keyPath === undefined)
      throw usageError('missing --key <private.pem>: the Ed25519 private key to sign with.');
    const path = resolve(io.cwd, file);
    const text = readTextFile(path, 'manifest');
    const privateKey = readPrivateKey(resolve(io.cwd, keyPath));
    const publicKey = createPublicKey(privateKey);
    const kid = stringOption(values, 'kid') ?? thumbprint(publicKey);
    if (kid === '') throw usageError('--kid must not be empty.');
    let signature: string;
    let loaded: Awaited<ReturnType<typeof loadManifest>>;
    try {
      signature = await signManifest({ manifest: text, privateKey, kid });
      // Verified at once with the public half: what was written is what loadManifest will accept.
      loaded = await loadManifest({
        manifest: text,
        signature,
        trustedKeys: { keys: [publicJwk(publicKey, kid)] },
      });
    } catch (error) {
      throw manifestFailure(error, file);
    }
    const out = stringOption(values, 'out') ?? `${file}.jws`;
    if (out !== '-') refuseToOverwriteInput(resolve(io.cwd, out), path, resolve(io.cwd, keyPath));
    const data = {
      file: path,
      signature_file: out === '-' ? null : resolve(io.cwd, out),
      agent_id: loaded.manifest.agent_id,
      manifest_version: loaded.manifest.manifest_version ?? null,
      digest: loaded.digest,
      kid,
    };
    if (out === '-') {
      io.out(io.json ? `${JSON.stringify({ ...data, signature }, null, 2)}\n` : `${signature}\n`);
      return EXIT.OK;
    }
    try {
      writeFileSync(resolve(io.cwd, out), `${signature}\n`);
    } catch (error) {
      throw new CliError(
        'ERR_OUTPUT_UNWRITABLE',
        `cannot write ${out}: ${(error as Error).message}`,
        EXIT.INPUT,
      );
    }
    emit(io, data, () =>
      [
        `signed     ${file} (${data.agent_id}, manifest_version ${data.manifest_version ?? 'none'})`,
        `digest     ${data.digest}`,
        `kid        ${kid}`,
        `signature  ${data.signature_file}`,
      ].join('\n'),
    );
    return EXIT.OK;
  },
};

/** The JWS never replaces the manifest it signs or the private key it was signed with. */
function refuseToOverwriteInput(out: string, manifest: string, key: string): void {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  const target = real(out);
  for (const [input, what] of [
    [manifest, 'the manifest'],
    [key, 'the private key'],
  ] as const) {
    if (target === real(input)) {
      throw usageError(
        `--out ${out} is ${what}: the signature is written to its own file (choose another --out).`,
      );
    }
  }
}

import { resolve } from 'node:path';
import { loadManifest } from '@orbit-agents/core/manifest';
import { EXIT, usageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { emit, styleOf } from '../io.js';
import { publicJwk, readPublicKey } from '../keys.js';
import { manifestFailure } from '../manifest-errors.js';
import { onePositional, readTextFile, stringOption } from '../read-input.js';

/** The `kid` in a compact JWS's header, if it has one (the signature is checked by the core, not here). */
function headerKid(jws: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8'));
    return typeof header?.kid === 'string' && header.kid !== '' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/** `orbit manifest verify`: what `loadManifest` checks at start-up, before the deploy. */
export const manifestVerify: Command = {
  path: ['manifest', 'verify'],
  summary: 'verify a signed manifest against a public key',
  usage: [
    'orbit manifest verify <manifest.yaml> --key <public.pem> [--signature <file>] [--kid <id>]',
    '',
    "Checks the manifest as @orbit-agents/core's loadManifest does at start-up: valid, signed by the key, and",
    'unchanged since it was signed. Prints its digest, kid and manifest_version.',
    '',
    'Options:',
    '  --key <file>         the Ed25519 public key (PEM)',
    '  --signature <file>   the JWS made by "orbit manifest sign"; default: <manifest>.jws',
    "  --kid <id>           the key's id; the JWS must name it. Default: trust the key under the JWS's own kid",
    '  --json               print { ok, file, agent_id, manifest_version, digest, kid } as JSON',
    '',
    'Exit codes: 0 verified; 1 the signature does not verify, names another kid, or the manifest changed',
    'after signing (a digest mismatch); 2 usage; 3 an unreadable or invalid manifest, signature file or key.',
  ].join('\n'),
  options: { key: { type: 'string' }, signature: { type: 'string' }, kid: { type: 'string' } },
  async run({ values, positionals }, io) {
    const file = onePositional(
      positionals,
      '<manifest.yaml>',
      'manifest verify <manifest.yaml> --key <public.pem>',
    );
    const keyPath = stringOption(values, 'key');
    if (keyPath === undefined)
      throw usageError('missing --key <public.pem>: the public key the manifest was signed with.');
    const path = resolve(io.cwd, file);
    const text = readTextFile(path, 'manifest');
    const signaturePath = resolve(io.cwd, stringOption(values, 'signature') ?? `${file}.jws`);
    const signature = readTextFile(signaturePath, 'signature').trim();
    const publicKey = readPublicKey(resolve(io.cwd, keyPath));
    const kid = stringOption(values, 'kid') ?? headerKid(signature) ?? 'none';
    let loaded: Awaited<ReturnType<typeof loadManifest>>;
    try {
      loaded = await loadManifest({
        manifest: text,
        signature,
        trustedKeys: { keys: [publicJwk(publicKey, kid)] },
      });
    } catch (error) {
      throw manifestFailure(error, file);
    }
    const data = {
      ok: true,
      file: path,
      signature_file: signaturePath,
      agent_id: loaded.manifest.agent_id,
      manifest_version: loaded.manifest.manifest_version ?? null,
      digest: loaded.digest,
      kid: loaded.kid ?? null,
    };
    const style = styleOf(io);
    emit(io, data, () =>
      [
        `${style.green('verified')}  ${file} (${data.agent_id}, manifest_version ${data.manifest_version ?? 'none'})`,
        `digest    ${data.digest}`,
        `kid       ${data.kid}`,
      ].join('\n'),
    );
    return EXIT.OK;
  },
};

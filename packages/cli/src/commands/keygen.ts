import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, EXIT } from '../cli-error.js';
import type { Command } from '../command.js';
import { emit } from '../io.js';
import { thumbprint } from '../keys.js';
import { stringOption } from '../read-input.js';

/** `orbit keygen`: an Ed25519 key pair as PEM files, for signing manifests, trust tokens and audit anchors. */
export const keygen: Command = {
  path: ['keygen'],
  summary: 'make an Ed25519 key pair (PEM files) for signing manifests, tokens and audit anchors',
  usage: [
    'orbit keygen [--out <dir>] [--kid <id>] [--force]',
    '',
    'Writes an Ed25519 key pair: <dir>/<kid>.private.pem (PKCS#8, mode 0600) and <dir>/<kid>.public.pem (SPKI),',
    'and prints the kid and both paths. Existing files are never overwritten unless --force is given.',
    '',
    'Options:',
    '  --out <dir>   the directory to write to (created if missing); default: the current directory',
    "  --kid <id>    the key id (file names and JWS headers); default: the key's JWK thumbprint (RFC 7638)",
    '  --force       overwrite existing key files',
    '  --json        print { kid, private_key, public_key } as JSON',
  ].join('\n'),
  options: { out: { type: 'string' }, kid: { type: 'string' }, force: { type: 'boolean' } },
  async run({ values }, io) {
    const dir = resolve(io.cwd, stringOption(values, 'out') ?? '.');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const kid = stringOption(values, 'kid') ?? thumbprint(publicKey);
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(kid)) {
      throw new CliError(
        'ERR_USAGE',
        `--kid "${kid}" is not a usable key id: use 1-128 letters, digits, ".", "_" or "-" (it names the files).`,
        EXIT.USAGE,
      );
    }
    const privatePath = resolve(dir, `${kid}.private.pem`);
    const publicPath = resolve(dir, `${kid}.public.pem`);
    if (values.force !== true) {
      const existing = [privatePath, publicPath].filter((path) => existsSync(path));
      if (existing.length > 0) {
        throw new CliError(
          'ERR_KEY_EXISTS',
          `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}: not overwritten. Choose another --kid or --out, or pass --force.`,
          EXIT.INPUT,
        );
      }
    }
    try {
      mkdirSync(dir, { recursive: true });
      const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
      const publicPem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
      // The private key is written with mode 0600 from its first byte: to a new file (exclusive create, no
      // symlink followed), renamed over the old one with --force, so an old file's looser mode never applies.
      const fresh = `${privatePath}.${process.pid}.tmp`;
      writeFileSync(fresh, privatePem, { mode: 0o600, flag: 'wx' });
      renameSync(fresh, privatePath);
      writeFileSync(publicPath, publicPem, { mode: 0o644 });
    } catch (error) {
      throw new CliError(
        'ERR_OUTPUT_UNWRITABLE',
        `cannot write the key files in ${dir}: ${(error as Error).message}`,
        EXIT.INPUT,
        { cause: error },
      );
    }
    emit(io, { kid, private_key: privatePath, public_key: publicPath }, () =>
      [
        `kid          ${kid}`,
        `private key  ${privatePath} (mode 0600: keep it secret)`,
        `public key   ${publicPath}`,
      ].join('\n'),
    );
    return EXIT.OK;
  },
};

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AuditVerification, verifyAuditFile } from '@orbit-agents/core/audit';
import { CliError, EXIT, usageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { emit, styleOf } from '../io.js';
import { readPublicKey } from '../keys.js';
import { onePositional, stringOption } from '../read-input.js';

/** `orbit audit verify`: `verifyAuditFile` on a hash-chained audit file, and its signed anchor. */
export const auditVerify: Command = {
  path: ['audit', 'verify'],
  summary: 'verify a hash-chained audit file (and its signed anchor) and name the first bad line',
  usage: [
    'orbit audit verify <audit.jsonl> [--anchor-key <public.pem>] [--anchor <file>]',
    '',
    "Checks an audit file written by JsonlFileSink as @orbit-agents/core's verifyAuditFile does: every block's",
    'seal, no missing, reordered or unsealed lines. With --anchor-key, also the newest signed anchor: its',
    'signature, and that the file still has the anchored lines unchanged (the last lines have no later seal',
    'to vouch for them: only an anchor does).',
    '',
    'Options:',
    '  --anchor-key <file>  the Ed25519 public key (PEM) of the key the sink signed anchors with',
    '  --anchor <file>      the anchor file; default: <audit.jsonl>.anchor (needs --anchor-key)',
    '  --json               print { ok, file, lines, last_hash, anchor, unanchored } or',
    '                       { ok: false, file, line, reason, message, lines } as JSON',
    '',
    'Exit codes: 0 the file verifies; 1 a problem (its line, reason and message are printed); 2 usage;',
    '3 the file or the key cannot be read.',
  ].join('\n'),
  options: { 'anchor-key': { type: 'string' }, anchor: { type: 'string' } },
  async run({ values, positionals }, io) {
    const file = onePositional(positionals, '<audit.jsonl>', 'audit verify <audit.jsonl>');
    const path = resolve(io.cwd, file);
    const keyPath = stringOption(values, 'anchor-key');
    const anchorPath = stringOption(values, 'anchor');
    if (anchorPath !== undefined && keyPath === undefined) {
      throw usageError(
        '--anchor needs --anchor-key <public.pem>: an anchor is only evidence once its signature is checked.',
      );
    }
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new CliError(
        'ERR_INPUT_UNREADABLE',
        `cannot read the audit file ${path}: ${existsSync(path) ? 'it is not a file' : 'the file does not exist'}.`,
        EXIT.INPUT,
      );
    }
    const anchor =
      keyPath === undefined
        ? undefined
        : {
            key: readPublicKey(resolve(io.cwd, keyPath)),
            ...(anchorPath === undefined ? {} : { path: resolve(io.cwd, anchorPath) }),
          };
    let result: AuditVerification;
    try {
      result = await verifyAuditFile(path, anchor === undefined ? {} : { anchor });
    } catch (error) {
      throw new CliError(
        'ERR_INPUT_UNREADABLE',
        `cannot read ${file} or its anchor: ${(error as Error).message}`,
        EXIT.INPUT,
        { cause: error },
      );
    }
    const style = styleOf(io);
    if (!result.ok) {
      const { line, reason, message, lines } = result;
      emit(io, { ok: false, file: path, line, reason, message, lines }, () =>
        [`${style.red('FAILED')}  ${file}: line ${line}: ${reason}: ${message}`, `lines read  ${lines}`].join(
          '\n',
        ),
      );
      return EXIT.FAILED;
    }
    const data = {
      ok: true,
      file: path,
      lines: result.lines,
      last_hash: result.lastHash,
      anchor: result.anchor ?? null,
      unanchored: result.unanchored ?? null,
    };
    emit(io, data, () =>
      [
        `${style.green('ok')}  ${file}`,
        `lines      ${data.lines}`,
        `last hash  ${data.last_hash}`,
        data.anchor === null
          ? 'anchor     not checked (pass --anchor-key <public.pem>: the last lines need an anchor)'
          : `anchor     ${data.anchor.lines} line(s), head ${data.anchor.head}, signed ${data.anchor.at}; ${data.unanchored} line(s) after it`,
      ].join('\n'),
    );
    return EXIT.OK;
  },
};

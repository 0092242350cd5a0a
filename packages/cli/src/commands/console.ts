import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunStore } from '@orbit-agents/core/stores';
import { CliError, EXIT, usageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { AuditIndex } from '../console/audit-index.js';
import { isLoopbackHost, isWildcardHost } from '../console/loopback.js';
import { openBrowser } from '../console/open-browser.js';
import { startConsole } from '../console/server.js';
import { emit } from '../io.js';
import { openStore, STORE_HELP, STORE_OPTION } from '../open-store.js';

/** `orbit console`: the local approvals console (inbox, answers, run view) in a browser. */
export const consoleCommand: Command = {
  path: ['console'],
  summary: 'the approvals console: answer pending approvals and read runs in a browser',
  usage: [
    'orbit console --store <where> [--audit <audit.jsonl>]... [--port 0] [--host 127.0.0.1]',
    '              [--approver <name>] [--open] [--allow-remote]',
    '',
    'Serves the approvals console on this machine: the inbox of pending approvals (approve, deny with a',
    "comment, or edit the arguments), updated live, and each run's view from the audit files. Prints",
    '"ORBIT console on http://HOST:PORT" and runs until Ctrl+C (SIGINT) or SIGTERM.',
    '',
    'Options:',
    STORE_HELP,
    '  --audit <file>    an audit file (JSONL) to read run history from; repeat for several',
    '  --port <n>        the port (default 0: any free port)',
    '  --host <address>  the address to bind (default 127.0.0.1); a non-loopback one needs --allow-remote',
    '  --approver <name> answer every approval as <name> (default: the name typed in the page)',
    '  --open            open the console in the default browser',
    '  --allow-remote    allow a non-loopback --host (anyone who reaches it can answer approvals)',
    '  --allowed-host <name>  a Host name browsers use for the console (repeatable; needed with --allow-remote',
    '                    on 0.0.0.0 or ::): requests naming any other host are refused (DNS rebinding)',
    '',
    "Security: loopback only by default; answers must be same-origin JSON POSTs with the console's",
    'CSRF token; requests naming another Host are refused.',
    'Exit codes: 0 stopped, 2 usage, 3 an audit file or the port cannot be used, 4 no such SQLite file,',
    '5 the store cannot be read.',
  ].join('\n'),
  options: {
    ...STORE_OPTION,
    audit: { type: 'string', multiple: true },
    port: { type: 'string' },
    host: { type: 'string' },
    approver: { type: 'string' },
    open: { type: 'boolean' },
    'allow-remote': { type: 'boolean' },
    'allowed-host': { type: 'string', multiple: true },
  },
  async run(args, io) {
    const { values } = args;
    if (args.positionals.length > 0) {
      throw usageError(`unexpected argument "${args.positionals[0]}". Run "orbit console --help".`);
    }
    const port = parsePort(values.port as string | undefined);
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    if (!isLoopbackHost(host) && values['allow-remote'] !== true) {
      throw usageError(
        `refusing to listen on ${host}: the console answers approvals, so it listens on this machine only (127.0.0.1). Add --allow-remote to listen on ${host} (then put it behind TLS and authentication).`,
      );
    }
    const allowedHosts = (values['allowed-host'] as string[] | undefined) ?? [];
    if (isWildcardHost(host) && allowedHosts.length === 0) {
      throw usageError(
        `listening on ${host} needs --allowed-host <name>: the host name people's browsers use for the console. Requests naming any other host are refused, so that a DNS-rebinding page cannot answer approvals.`,
      );
    }
    const approver = values.approver as string | undefined;
    if (approver !== undefined && approver.trim() === '') throw usageError('--approver: expected a name.');
    const auditFiles = ((values.audit as string[] | undefined) ?? []).map((file) => resolve(io.cwd, file));
    for (const file of auditFiles) checkAuditFile(file);

    const store = await openStore(values.store as string | undefined, io.env);
    try {
      await probe(store, (values.store as string | undefined) ?? io.env.ORBIT_STORE ?? '');
      const running = await startConsole({
        store,
        audit: new AuditIndex(auditFiles),
        host,
        port,
        approver: approver?.trim(),
        allowRemote: values['allow-remote'] === true,
        allowedHosts,
      });
      const where = redact((values.store as string | undefined) ?? io.env.ORBIT_STORE ?? '');
      emit(
        io,
        {
          console: {
            url: running.url,
            host: running.host,
            port: running.port,
            store: where,
            audit: auditFiles,
            approver: approver?.trim() ?? null,
          },
        },
        () =>
          [
            `ORBIT console on ${running.url}`,
            `store: ${where}; audit files: ${auditFiles.length === 0 ? 'none (no run history)' : auditFiles.join(', ')}; approver: ${approver?.trim() ?? 'typed in the page'}`,
            'Ctrl+C stops it.',
          ].join('\n'),
      );
      if (values.open === true) openBrowser(running.url, (message) => io.err(`orbit: ${message}\n`));
      await untilStopped();
      await running.close();
      return EXIT.OK;
    } finally {
      await store.close().catch(() => undefined);
    }
  },
};

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    throw usageError(`--port: expected a port number from 0 to 65535, got "${text}".`);
  }
  return port;
}

function checkAuditFile(file: string): void {
  if (!existsSync(file)) {
    throw new CliError('ERR_AUDIT_NOT_FOUND', `no audit file at ${file} (--audit).`, EXIT.INPUT);
  }
  if (!statSync(file).isFile()) {
    throw new CliError(
      'ERR_AUDIT_NOT_A_FILE',
      `${file} is not a file (--audit expects a JSONL audit file).`,
      EXIT.INPUT,
    );
  }
}

/** Reads the store once before serving: a file that is not an ORBIT store fails the start, not the page. */
async function probe(store: RunStore, where: string): Promise<void> {
  try {
    await store.listPending({ now: Date.now() });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(
      'ERR_STORE_UNAVAILABLE',
      `cannot read the store ${redact(where)}: ${message}`,
      EXIT.UNAVAILABLE,
      { cause: error },
    );
  }
}

/** A Redis URL without its password, for printing. */
function redact(where: string): string {
  return where.replace(/^(rediss?:\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrbit, defineTool, JsonlFileSink, loadManifest } from '@orbit-agents/core';
import { SqliteStore } from '@orbit-agents/core/stores/sqlite';
import { z } from 'zod';
import { BIN } from './run-orbit.js';

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'orbit-console-'));
}

/** Creates an empty SQLite store file at `path` (as an agent's first run would). */
export async function createStoreFile(path: string): Promise<string> {
  const store = new SqliteStore({ path });
  await store.listPending({ now: Date.now() });
  await store.close();
  return path;
}

/** A console started from the real binary. */
export interface ConsoleProcess {
  url: string;
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** SIGINT, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `orbit console <args>` and waits until it prints its URL ("ORBIT console on http://…").
 * Rejects with what it printed when it exits first.
 */
export function startConsoleProcess(args: readonly string[]): Promise<ConsoleProcess> {
  const child = spawn(process.execPath, [BIN, 'console', ...args], {
    env: { ...process.env, NO_COLOR: '1', ORBIT_DEBUG: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no URL within 20 s; stdout: ${out} stderr: ${err}`)),
      20_000,
    );
    const onData = () => {
      const match = /ORBIT console on (http:\/\/\S+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        url: match[1] as string,
        child,
        stdout: () => out,
        stderr: () => err,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGINT');
          return exited;
        },
      });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`orbit console exited with ${code}; stdout: ${out} stderr: ${err}`));
    });
  });
}

const MANIFEST = `
agent_id: invoice-agent
manifest_version: 1
owner_team: '#finance'
deployed_at: '2026-12-01T09:00:00Z'
task_scope: Reconcile invoices and pay the matched ones
maturity_level: 3
allowed_tools:
  - { name: lookup_invoice, max_calls_per_run: 20, reversibility: read_only, confidence_threshold: 0.5 }
  - { name: pay_invoice, max_calls_per_run: 5, reversibility: irreversible, confidence_threshold: 0.9, resources: ['invoice:*'] }
interruption_policy: { confidence_floor: 0.5, max_tokens_per_run: 50000, max_records_touched_per_run: 100, time_limit_minutes: 10 }
`;

/** What the example agent's tools did: every payment it made, with its arguments. */
export interface Payments {
  made: { invoice_id: string; amount: number }[];
}

/**
 * The example agent of the end-to-end tests: an invoice agent on the SQLite store at `storePath`,
 * writing its audit to `auditPath`, with no approval handler: a paused call waits for an answer given
 * in the store (the console, another process).
 */
export async function invoiceAgent(storePath: string, auditPath: string) {
  const payments: Payments = { made: [] };
  const store = new SqliteStore({ path: storePath });
  const sink = new JsonlFileSink(auditPath);
  const orbit = createOrbit({
    manifest: await loadManifest({ manifest: MANIFEST, allowUnsigned: true, logger: { warn() {} } }),
    store,
    sink,
    approvalTimeoutMs: 60_000,
  });
  const lookupInvoice = defineTool({
    name: 'lookup_invoice',
    input: z.object({ invoice_id: z.string() }),
    execute: (input) => ({ invoice_id: input.invoice_id, amount: 1250, vendor: 'ACME GmbH' }),
  });
  const payInvoice = defineTool({
    name: 'pay_invoice',
    input: z.object({ invoice_id: z.string(), amount: z.number().positive(), currency: z.string() }),
    resource: (input) => `invoice:${input.invoice_id}`,
    records: () => 1,
    execute: (input) => {
      payments.made.push({ invoice_id: input.invoice_id, amount: input.amount });
      return { paid: true };
    },
  });
  return {
    orbit,
    store,
    sink,
    payments,
    lookupInvoice,
    payInvoice,
    async close() {
      await sink.close();
      await store.close();
    },
  };
}

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
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
export function startConsoleProcess(
  args: readonly string[],
  options: { json?: boolean } = {},
): Promise<ConsoleProcess> {
  const child = spawn(process.execPath, [BIN, 'console', ...args], {
    env: { ...process.env, NO_COLOR: '1', ORBIT_DEBUG: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A test that failed before stopping it must not leave it running.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  void exited.then(() => process.off('exit', reap));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no URL within 20 s; stdout: ${out} stderr: ${err}`)),
      20_000,
    );
    const onData = () => {
      const match = options.json ? jsonUrl(out) : /ORBIT console on (http:\/\/\S+)/.exec(out);
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

/** The URL in the JSON document `orbit console --json` prints, once it is whole. */
function jsonUrl(out: string): [string, string] | undefined {
  try {
    const url = JSON.parse(out).console.url as string;
    return [url, url];
  } catch {
    return undefined;
  }
}

/** What one HTTP request to the console answered. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: the tests read the console's JSON answers field by field.
  json(): any;
}

/**
 * One HTTP request with exactly the headers given (Node's `fetch` would add or refuse some, such as
 * `Host` and `Origin`, which these tests must set).
 */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Puts a pending approval straight into the store at `path` (as a paused run would). */
export async function putPendingApproval(
  path: string,
  overrides: { treeId?: string; approvalId?: string; expiresAt?: number } = {},
): Promise<{ treeId: string; approvalId: string; actionHash: string }> {
  const treeId = overrides.treeId ?? randomUUID();
  const approvalId = overrides.approvalId ?? randomUUID();
  const actionHash = `sha256:${randomUUID().replaceAll('-', '')}`;
  const store = new SqliteStore({ path });
  const now = Date.now();
  await store.putApproval(treeId, {
    treeId,
    status: 'pending',
    requestedAt: now,
    expiresAt: overrides.expiresAt ?? now + 600_000,
    request: {
      approval_id: approvalId,
      run_id: treeId,
      agent_id: 'invoice-agent',
      call_id: 'call-1',
      tool: 'pay_invoice',
      args: { invoice_id: 'INV-1', amount: 10, currency: 'EUR' },
      decision: 'pause',
      reasons: ['below_tool_threshold'],
      confidence: 0.8,
      reversibility: 'irreversible',
      action_hash: actionHash,
      requested_at: new Date(now).toISOString(),
      allowed_answers: ['approve', 'deny', 'edit'],
      context: { task_scope: 'Reconcile invoices', maturity_level: 3, ledger: {} },
    },
  });
  await store.close();
  return { treeId, approvalId, actionHash };
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

import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { SqliteStore } from '@orbit-agents/core/stores/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleProcess,
  createStoreFile,
  putPendingApproval,
  request,
  startConsoleProcess,
  tempDir,
} from './console-fixture.js';
import { runOrbit } from './run-orbit.js';

/** The headers the console's own page sends with an answer. */
function pageHeaders(url: string, csrf: string): Record<string, string> {
  return { 'content-type': 'application/json', origin: url, 'x-orbit-csrf': csrf };
}

async function stillPending(
  storePath: string,
  treeId: string,
  approvalId: string,
): Promise<string | undefined> {
  const store = new SqliteStore({ path: storePath });
  try {
    return (await store.getApproval(treeId, approvalId))?.status;
  } finally {
    await store.close();
  }
}

describe('orbit console: the server (no browser)', () => {
  let dir: string;
  let storePath: string;
  let server: ConsoleProcess;
  let csrf: string;

  beforeAll(async () => {
    dir = tempDir();
    storePath = await createStoreFile(join(dir, 'orbit.db'));
    server = await startConsoleProcess(['--store', storePath, '--port', '0']);
    csrf = (await request(`${server.url}/api/session`)).json().csrf_token;
  });

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('binds to 127.0.0.1 by default and prints its URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.stdout()).toMatch(/^ORBIT console on http:\/\/127\.0\.0\.1:\d+\n/);
    expect(server.stdout()).toContain('audit files: none (no run history)');
  });

  it('lists a pending approval with its time left, and says there is no history without --audit', async () => {
    const { approvalId } = await putPendingApproval(storePath);
    const inbox = (await request(`${server.url}/api/inbox`)).json();
    const item = inbox.items.find((i: { approval_id: string }) => i.approval_id === approvalId);
    expect(item).toMatchObject({
      tool: 'pay_invoice',
      args: { invoice_id: 'INV-1', amount: 10, currency: 'EUR' },
      confidence: 0.8,
      reversibility: 'irreversible',
      reasons: ['below_tool_threshold'],
      history: null,
    });
    expect(item.expires_at).toBeGreaterThan(inbox.now);
    expect(inbox.audit_files).toBe(0);
  });

  it('refuses a POST from another Origin, without the CSRF token, or not JSON: 403, nothing answered', async () => {
    const { treeId, approvalId, actionHash } = await putPendingApproval(storePath);
    const body = JSON.stringify({
      tree_id: treeId,
      approval_id: approvalId,
      action_hash: actionHash,
      type: 'approve',
      approver: 'mallory',
    });
    const url = `${server.url}/api/answer`;
    const attempts: Record<string, string>[] = [
      { ...pageHeaders(server.url, csrf), origin: 'http://evil.example' },
      { 'content-type': 'application/json', origin: server.url },
      { ...pageHeaders(server.url, csrf), 'x-orbit-csrf': 'not-the-token' },
      { ...pageHeaders(server.url, csrf), 'content-type': 'text/plain' },
      { 'content-type': 'application/json', 'x-orbit-csrf': csrf }, // no Origin, no Sec-Fetch-Site
      { 'content-type': 'application/json', 'x-orbit-csrf': csrf, 'sec-fetch-site': 'cross-site' },
    ];
    const codes: string[] = [];
    for (const headers of attempts) {
      const reply = await request(url, { method: 'POST', headers, body });
      expect(reply.status).toBe(403);
      codes.push(reply.json().error.code);
    }
    expect(codes).toEqual([
      'ERR_CROSS_SITE',
      'ERR_CSRF',
      'ERR_CSRF',
      'ERR_CONTENT_TYPE',
      'ERR_CROSS_SITE',
      'ERR_CROSS_SITE',
    ]);
    expect((await request(url, { method: 'PUT', headers: pageHeaders(server.url, csrf), body })).status).toBe(
      405,
    );
    expect(await stillPending(storePath, treeId, approvalId)).toBe('pending');
  });

  it('refuses a request naming another Host (DNS rebinding) and a cross-site read', async () => {
    const rebinding = await request(`${server.url}/api/inbox`, { headers: { host: 'evil.example:80' } });
    expect(rebinding.status).toBe(403);
    expect(rebinding.json().error.code).toBe('ERR_HOST_REFUSED');
    const crossSite = await request(`${server.url}/api/session`, {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).not.toContain(csrf);
  });

  it('answers from its own page with the token; a second answer is a conflict naming who answered first', async () => {
    const { treeId, approvalId, actionHash } = await putPendingApproval(storePath);
    const answer = (type: string, approver: string) =>
      request(`${server.url}/api/answer`, {
        method: 'POST',
        headers: pageHeaders(server.url, csrf),
        body: JSON.stringify({
          tree_id: treeId,
          approval_id: approvalId,
          action_hash: actionHash,
          type,
          approver,
        }),
      });
    const first = await answer('approve', 'maria@finance');
    expect(first.status).toBe(200);
    expect(first.json()).toMatchObject({
      ok: true,
      approval: { status: 'approved', approver: 'maria@finance' },
    });
    const second = await answer('deny', 'lee@finance');
    expect(second.status).toBe(409);
    expect(second.json()).toMatchObject({
      ok: false,
      reason: 'already_answered',
      approval: { answer: 'approve', approver: 'maria@finance' },
    });
    expect(await stillPending(storePath, treeId, approvalId)).toBe('approved');
  });

  it('needs an approver and the request’s action hash', async () => {
    const { treeId, approvalId, actionHash } = await putPendingApproval(storePath);
    const post = (body: Record<string, unknown>) =>
      request(`${server.url}/api/answer`, {
        method: 'POST',
        headers: pageHeaders(server.url, csrf),
        body: JSON.stringify({ tree_id: treeId, approval_id: approvalId, type: 'approve', ...body }),
      });
    const noApprover = await post({ action_hash: actionHash, approver: ' ' });
    expect(noApprover.status).toBe(400);
    expect(noApprover.json().error.message).toBe(
      'expected who answers (approver): type your name in the page.',
    );
    const wrongHash = await post({ action_hash: 'sha256:other', approver: 'maria@finance' });
    expect(wrongHash.status).toBe(409);
    expect(wrongHash.json().reason).toBe('hash_mismatch');
    const unknown = await post({
      approval_id: 'no-such-approval',
      action_hash: actionHash,
      approver: 'maria',
    });
    expect(unknown.status).toBe(404);
    expect(await stillPending(storePath, treeId, approvalId)).toBe('pending');
  });

  it('serves the pages with a strict content security policy; an unknown run is 404; the report asks for audit files', async () => {
    const page = await request(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.text).toContain('<script type="module" src="/inbox.js">');
    const run = await request(`${server.url}/api/runs/no-such-run`);
    expect(run.status).toBe(404);
    expect(run.json().error.message).toBe('no run no-such-run in the audit files or the store.');
    const report = await request(`${server.url}/report`);
    expect(report.status).toBe(200);
    expect(report.text).toContain('start the console with --audit');
    // The report page has inline styles and no script: its own policy allows exactly that.
    expect(report.headers['content-security-policy']).toMatch(
      /^default-src 'none'; style-src 'unsafe-inline';/,
    );
    expect(report.headers['content-security-policy']).not.toContain('script-src');
  });

  it('pushes the inbox as Server-Sent Events', async () => {
    const { approvalId } = await putPendingApproval(storePath);
    const reply = await fetch(`${server.url}/api/events`);
    expect(reply.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = reply.body!.getReader();
    let text = '';
    while (!text.includes(approvalId)) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/^retry: 1000\n\nevent: inbox\ndata: \{/);
    await reader.cancel();
  });

  it('serves at most MAX_STREAMS event streams at once (503 past that), and a closed one frees its place', async () => {
    const open = await Promise.all(Array.from({ length: 32 }, () => fetch(`${server.url}/api/events`)));
    expect(open.map((reply) => reply.status)).toEqual(Array(32).fill(200));
    const refused = await request(`${server.url}/api/events`);
    expect(refused.status).toBe(503);
    expect(refused.json().error.code).toBe('ERR_TOO_MANY_STREAMS');
    await open[0]!.body!.cancel();
    let again = await fetch(`${server.url}/api/events`);
    for (let i = 0; again.status !== 200 && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await fetch(`${server.url}/api/events`);
    }
    expect(again.status).toBe(200);
    await Promise.all([again, ...open.slice(1)].map((reply) => reply.body!.cancel()));
  });
});

describe('orbit console: starting', () => {
  let dir: string;
  let storePath: string;

  beforeAll(async () => {
    dir = tempDir();
    storePath = await createStoreFile(join(dir, 'orbit.db'));
  });

  it('is listed in orbit --help and has its own --help', () => {
    expect(runOrbit(['--help']).stdout).toContain('orbit console');
    const help = runOrbit(['console', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--allow-remote');
  });

  it('refuses a non-loopback --host without --allow-remote (exit 2)', () => {
    const run = runOrbit(['console', '--store', storePath, '--host', '0.0.0.0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'orbit: refusing to listen on 0.0.0.0: the console answers approvals, so it listens on this machine only (127.0.0.1). Add --allow-remote to listen on 0.0.0.0 (then put it behind TLS and authentication).\n',
    );
  });

  it('with --allow-remote on 0.0.0.0 needs --allowed-host, and still refuses any other Host (DNS rebinding)', async () => {
    const bare = runOrbit(['console', '--store', storePath, '--host', '0.0.0.0', '--allow-remote']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('listening on 0.0.0.0 needs --allowed-host <name>');
    const running = await startConsoleProcess([
      '--store',
      storePath,
      '--host',
      '0.0.0.0',
      '--allow-remote',
      '--allowed-host',
      'orbit.internal',
      '--port',
      '0',
    ]);
    try {
      const { port } = new URL(running.url);
      const local = `http://127.0.0.1:${port}/api/inbox`;
      expect((await request(local, { headers: { host: `orbit.internal:${port}` } })).status).toBe(200);
      const rebinding = await request(local, { headers: { host: `evil.example:${port}` } });
      expect(rebinding.status).toBe(403);
      expect(rebinding.json().error.code).toBe('ERR_HOST_REFUSED');
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('refuses a bad --port (exit 2) and a missing audit file (exit 3)', () => {
    const port = runOrbit(['console', '--store', storePath, '--port', 'http']);
    expect(port.code).toBe(2);
    expect(port.stderr).toBe('orbit: --port: expected a port number from 0 to 65535, got "http".\n');
    const audit = runOrbit(['console', '--store', storePath, '--audit', join(dir, 'missing.jsonl')]);
    expect(audit.code).toBe(3);
    expect(audit.stderr).toBe(`orbit: no audit file at ${join(dir, 'missing.jsonl')} (--audit).\n`);
  });

  it('exits 5 with a message when the store cannot be read (not a SQLite file, Redis not answering)', () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a database, just text that is long enough to have a header......');
    const sqlite = runOrbit(['console', '--store', junk, '--json']);
    expect(sqlite.code).toBe(5);
    expect(JSON.parse(sqlite.stdout).error.code).toBe('ERR_STORE_UNAVAILABLE');
    expect(JSON.parse(sqlite.stdout).error.message).toMatch(
      new RegExp(`^cannot (open|read) the store ${junk}: `),
    );
    const redis = runOrbit(['console', '--store', 'redis://127.0.0.1:1']);
    expect(redis.code).toBe(5);
    expect(redis.stderr).toMatch(/^orbit: cannot (open|read) the store redis:\/\/127\.0\.0\.1:1: /);
    const missing = runOrbit(['console', '--store', join(dir, 'nope.db')]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe(
      `orbit: no SQLite store at ${join(dir, 'nope.db')} (the file does not exist).\n`,
    );
  });

  it('says clearly when the port is in use (exit 3)', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const run = runOrbit(['console', '--store', storePath, '--port', String(port)]);
      expect(run.code).toBe(3);
      expect(run.stderr).toBe(
        `orbit: port ${port} on 127.0.0.1 is in use: choose another --port (or --port 0 for any free port).\n`,
      );
    } finally {
      taken.close();
    }
  });

  it('prints one JSON document with --json, and stops on SIGINT with exit 0', async () => {
    const running = await startConsoleProcess(
      ['--store', storePath, '--port', '0', '--approver', 'ops@acme', '--json'],
      {
        json: true,
      },
    );
    const doc = JSON.parse(running.stdout());
    expect(doc).toEqual({
      console: {
        url: running.url,
        host: '127.0.0.1',
        port: Number(new URL(running.url).port),
        store: storePath,
        audit: [],
        approver: 'ops@acme',
      },
    });
    expect((await request(`${running.url}/api/session`)).json().approver).toBe('ops@acme');
    expect(await running.stop()).toBe(0);
  });
});

describe('orbit console: the run view', () => {
  it('reads a run tree from the audit files: sub-agent runs, decisions and outcomes, token scopes, approvals, rollback', async () => {
    const dir = tempDir();
    const storePath = await createStoreFile(join(dir, 'orbit.db'));
    const auditPath = join(dir, 'audit.jsonl');
    const base = { agent_id: 'invoice-agent', manifest_digest: 'sha256:abc' };
    const root = { ...base, run_id: 'run-root', parent_run_id: null };
    const child = { ...base, agent_id: 'payer', run_id: 'run-child', parent_run_id: 'run-root' };
    const lines = [
      { ...root, ts: '2026-12-07T09:00:00.000Z', event: 'run', run: 'started' },
      {
        ...root,
        ts: '2026-12-07T09:00:01.000Z',
        event: 'decision',
        call_id: 'c1',
        tool: 'spawn_sub_agent',
        decision: 'proceed',
        confidence: 0.95,
        reasons: [],
      },
      {
        ...root,
        ts: '2026-12-07T09:00:01.100Z',
        event: 'token',
        token: 'minted',
        token_id: 'tok-1',
        sub_agent: 'payer',
        depth: 1,
        scope: { tools: ['pay_invoice'], resources: ['invoice:INV-3'] },
      },
      {
        ...child,
        ts: '2026-12-07T09:00:02.000Z',
        event: 'approval',
        approval: 'requested',
        approval_id: 'ap-1',
        tool: 'pay_invoice',
      },
      {
        ...child,
        ts: '2026-12-07T09:00:02.000Z',
        event: 'decision',
        call_id: 'c2',
        tool: 'pay_invoice',
        decision: 'pause',
        confidence: 0.8,
        reasons: ['below_tool_threshold'],
      },
      {
        ...child,
        ts: '2026-12-07T09:00:05.000Z',
        event: 'approval',
        approval: 'approve',
        approval_id: 'ap-1',
        tool: 'pay_invoice',
        approver: 'maria@finance',
      },
      {
        ...child,
        ts: '2026-12-07T09:00:05.100Z',
        event: 'outcome',
        call_id: 'c2',
        tool: 'pay_invoice',
        status: 'executed',
        decision: 'proceed_with_log',
      },
      {
        ...child,
        ts: '2026-12-07T09:00:06.000Z',
        event: 'rollback',
        rollback: 'unrecoverable',
        tool: 'pay_invoice',
        resource: 'invoice:INV-3',
      },
      { ...root, ts: '2026-12-07T09:00:07.000Z', event: 'run', run: 'ended', task_outcome: 'failure' },
    ];
    writeFileSync(auditPath, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const running = await startConsoleProcess(['--store', storePath, '--audit', auditPath, '--port', '0']);
    try {
      const view = (await request(`${running.url}/api/runs/run-child`)).json();
      expect(view).toMatchObject({ run_id: 'run-child', root_run_id: 'run-root', audit_files: 1 });
      expect(view.tree).toMatchObject({
        run_id: 'run-root',
        state: 'ended',
        task_outcome: 'failure',
        calls: [{ tool: 'spawn_sub_agent', decision: 'proceed' }],
        tokens: [
          {
            token: 'minted',
            sub_agent: 'payer',
            scope: { tools: ['pay_invoice'], resources: ['invoice:INV-3'] },
          },
        ],
        children: [
          {
            run_id: 'run-child',
            parent_run_id: 'run-root',
            agent_id: 'payer',
            calls: [
              {
                tool: 'pay_invoice',
                decision: 'pause',
                outcome: { status: 'executed', decision: 'proceed_with_log' },
              },
            ],
            approvals: [{ approval: 'requested' }, { approval: 'approve', approver: 'maria@finance' }],
            rollbacks: [{ rollback: 'unrecoverable', resource: 'invoice:INV-3' }],
          },
        ],
      });
      const page = await request(`${running.url}/runs/run-child`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('<script type="module" src="/run.js">');
      // The report of the same audit file: orbit report --html's page, with both agents' sections and charts.
      const report = await request(`${running.url}/report`);
      expect(report.status).toBe(200);
      expect(report.text).toContain('<svg');
      expect(report.text).toContain('payer');
      expect(report.text).not.toContain('<script');
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });
});

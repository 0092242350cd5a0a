import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signManifest } from '@orbit-agents/core';
import { SqliteStore } from '@orbit-agents/core/stores/sqlite';
import { describe, expect, it } from 'vitest';
import { loadSignedManifest, MANIFEST_URL, SIGNATURE_URL } from './manifest.js';
import { runInvoiceReconciliation } from './run-core.js';

/** A person answering in the store, as `orbit console` or `orbit approvals` would: INV-1002 yes, the rest no. */
async function answerInStore(path: string, stop: () => boolean): Promise<string[]> {
  const store = new SqliteStore({ path });
  const answered: string[] = [];
  try {
    while (!stop()) {
      for (const { treeId, request } of await store.listPending({ now: Date.now() })) {
        const invoice = (request.args as { invoice_id?: string }).invoice_id;
        const type = invoice === 'INV-1002' ? 'approve' : 'deny';
        await store.answerApproval(
          treeId,
          request.approval_id,
          { type, action_hash: request.action_hash, approver: 'ana@finance' },
          Date.now(),
        );
        answered.push(`${type} ${invoice}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await store.close();
  }
  return answered;
}

describe('the example on a SQLite store, a person answering there', () => {
  it('waits for each pause to be answered in the store and reports who answered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbit-invoice-'));
    const path = join(dir, 'store.sqlite');
    const store = new SqliteStore({ path });
    let done = false;
    const person = answerInStore(path, () => done);
    try {
      const report = await runInvoiceReconciliation({ store, reviewer: 'person', approvalTimeoutMs: 30_000 });
      expect(report.steps.map((step) => step.approval ?? '-')).toEqual([
        '-',
        '-',
        '-',
        '-',
        'approved by ana@finance',
        'denied by ana@finance',
        '-',
        '-',
      ]);
      expect(report.steps.at(-1)).toMatchObject({ tool: 'merge_crm_accounts', status: 'halted' });
      expect([...report.billing.invoices]).toEqual([
        ['INV-1001', 'matched'],
        ['INV-1002', 'matched'],
        ['INV-1003', 'open'],
      ]);
    } finally {
      done = true;
      await store.close();
    }
    expect(await person).toEqual(['approve INV-1002', 'deny INV-1003']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a person reviewer without a store', async () => {
    await expect(runInvoiceReconciliation({ reviewer: 'person' })).rejects.toThrow('set ORBIT_STORE');
  });
});

describe('the manifest signed with orbit manifest sign (ORBIT_MANIFEST_KEY)', () => {
  it('verifies the signature next to the manifest against the public key, and refuses another key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519').publicKey;
    const dir = mkdtempSync(join(tmpdir(), 'orbit-keys-'));
    const keyPath = join(dir, 'public.pem');
    const otherPath = join(dir, 'other.pem');
    writeFileSync(keyPath, publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(otherPath, other.export({ type: 'spki', format: 'pem' }));
    const signature = await signManifest({
      manifest: readFileSync(MANIFEST_URL, 'utf8'),
      privateKey,
      kid: 'ci-key',
    });
    // A signature the developer made with `orbit manifest sign` is put back afterwards.
    const before = existsSync(SIGNATURE_URL) ? readFileSync(SIGNATURE_URL, 'utf8') : undefined;
    writeFileSync(SIGNATURE_URL, `${signature}\n`);
    try {
      const loaded = await loadSignedManifest({ ORBIT_MANIFEST_KEY: keyPath });
      expect(loaded.kid).toBe('ci-key');
      await expect(loadSignedManifest({ ORBIT_MANIFEST_KEY: otherPath })).rejects.toMatchObject({
        code: expect.stringMatching(/^ERR_MANIFEST_/),
      });
    } finally {
      if (before === undefined) rmSync(SIGNATURE_URL, { force: true });
      else writeFileSync(SIGNATURE_URL, before);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

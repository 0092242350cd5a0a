import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_LAUNCH, hasChromium } from './chromium.js';
import {
  type ConsoleProcess,
  createStoreFile,
  invoiceAgent,
  startConsoleProcess,
  tempDir,
} from './console-fixture.js';

const chromiumHere = hasChromium();
/**
 * The README's screenshots are written to docs/ only when asked (`ORBIT_SCREENSHOTS=1 npx vitest run
 * test/console.e2e.test.ts`), so that a test run leaves the committed images alone; otherwise to a temp dir.
 */
const SHOTS =
  process.env.ORBIT_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../docs/', import.meta.url))
    : mkdtempSync(join(tmpdir(), 'orbit-console-shots-'));

/**
 * End to end, in real headless Chromium: the real `orbit console` binary on a SQLite store, an agent
 * in this process on the same file whose paused call waits for an answer given in the store, and a
 * person answering in the page.
 */
describe.skipIf(!chromiumHere)('orbit console in a browser', { timeout: 60_000 }, () => {
  let browser: Browser;
  let console_: ConsoleProcess;
  let dir: string;
  let storePath: string;
  let auditPath: string;

  beforeAll(async () => {
    dir = tempDir();
    storePath = await createStoreFile(join(dir, 'orbit.db'));
    auditPath = join(dir, 'audit.jsonl');
    writeFileSync(auditPath, '');
    console_ = await startConsoleProcess(['--store', storePath, '--audit', auditPath, '--port', '0']);
    browser = await chromium.launch(CHROMIUM_LAUNCH);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    expect(await console_?.stop()).toBe(0);
  });

  /** Opens the inbox as `approver` and waits for the card of the paused `pay_invoice` call. */
  async function openInbox(approver: string): Promise<{ page: Page; card: ReturnType<Page['locator']> }> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(console_.url);
    await page.getByLabel('Approver').fill(approver);
    const card = page.locator('li.card', { hasText: 'pay_invoice' }).first();
    await card.waitFor({ timeout: 15_000 });
    return { page, card };
  }

  it('approves in the page: the waiting run goes on, the tool runs, the run view shows who approved', async () => {
    const agent = await invoiceAgent(storePath, auditPath);
    try {
      const run = agent.orbit.startRun();
      const looked = await run.execute(agent.lookupInvoice, { invoice_id: 'INV-7', confidence: 0.97 });
      expect(looked.status).toBe('executed');
      const paying = run.execute(agent.payInvoice, {
        invoice_id: 'INV-7',
        amount: 1250,
        currency: 'EUR',
        confidence: 0.8,
      });
      const { page, card } = await openInbox('maria@finance');
      await expect.poll(() => card.textContent(), { timeout: 10_000 }).toContain('lookup_invoice'); // the run's history
      expect(await card.textContent()).toContain('"amount": 1250');
      expect(await card.textContent()).toContain('0.80');
      await page.screenshot({ path: join(SHOTS, 'console-inbox.png'), fullPage: true });

      await card.getByRole('button', { name: 'Approve', exact: true }).click();
      await expect
        .poll(() => card.locator('.result').textContent(), { timeout: 15_000 })
        .toContain('approved by maria@finance');
      const result = await paying;
      expect(result.status).toBe('executed');
      expect(agent.payments.made).toEqual([{ invoice_id: 'INV-7', amount: 1250 }]);
      await expect.poll(() => card.locator('.result').textContent()).toContain('approved by maria@finance');
      await run.end({ outcome: 'success' });

      await page.goto(`${console_.url}/runs/${run.id}`);
      const approvals = page.getByRole('table', { name: /Approvals of this run tree/ });
      await approvals.waitFor();
      expect(await approvals.textContent()).toContain('maria@finance');
      const events = page.getByRole('table', { name: 'Approval events' });
      expect(await events.textContent()).toMatch(/approve.*maria@finance/s);
      const decisions = page.getByRole('table', { name: /Decisions/ });
      expect(await decisions.textContent()).toContain('pay_invoice');
      expect(await decisions.textContent()).toContain('executed');
      await page.screenshot({ path: join(SHOTS, 'console-run.png'), fullPage: true });
      await page.close();
    } finally {
      await agent.close();
    }
  });

  it('edits the arguments in the page: the tool runs with the edited arguments', async () => {
    const agent = await invoiceAgent(storePath, auditPath);
    try {
      const run = agent.orbit.startRun();
      const paying = run.execute(agent.payInvoice, {
        invoice_id: 'INV-8',
        amount: 9800,
        currency: 'EUR',
        confidence: 0.75,
      });
      const { page, card } = await openInbox('lee@finance');
      await card.getByRole('button', { name: 'Edit' }).click();
      const editor = card.getByLabel('Arguments (JSON)');
      await editor.fill('{ "invoice_id": "INV-8", "amount": 980');
      await expect.poll(() => card.locator('.error').textContent()).toContain('Not valid JSON');
      await card.getByRole('button', { name: 'Approve with these arguments' }).click();
      expect(agent.payments.made).toEqual([]); // invalid JSON is never sent
      await editor.fill('{ "invoice_id": "INV-8", "amount": 980, "currency": "EUR" }');
      await card.getByRole('button', { name: 'Approve with these arguments' }).click();
      await expect
        .poll(() => card.locator('.result').textContent(), { timeout: 15_000 })
        .toContain('approved with edited arguments by lee@finance');
      const result = await paying;
      expect(result.status).toBe('executed');
      expect(agent.payments.made).toEqual([{ invoice_id: 'INV-8', amount: 980 }]);
      await run.end({ outcome: 'success' });
      await page.close();
    } finally {
      await agent.close();
    }
  });

  it('denies with a comment in the page: the tool does not run, the model-facing refusal carries the comment', async () => {
    const agent = await invoiceAgent(storePath, auditPath);
    try {
      const run = agent.orbit.startRun();
      const paying = run.execute(agent.payInvoice, {
        invoice_id: 'INV-9',
        amount: 430,
        currency: 'EUR',
        confidence: 0.7,
      });
      const { page, card } = await openInbox('sam@finance');
      const comment = 'Wrong vendor: INV-9 belongs to ACME AG, not ACME GmbH.';
      await card.getByLabel('Comment for the agent').fill(comment);
      await card.getByRole('button', { name: 'Deny' }).click();
      await expect
        .poll(() => card.locator('.result').textContent(), { timeout: 15_000 })
        .toContain('denied by sam@finance');
      const result = await paying;
      expect(result.status).toBe('refused');
      if (result.status !== 'refused') throw new Error('unreachable');
      expect(result.refusal.comment).toBe(comment);
      expect(result.refusal.message).toContain(`The person who denied it said: ${comment}`);
      expect(agent.payments.made).toEqual([]);
      await expect.poll(() => card.locator('.result').textContent()).toContain('denied by sam@finance');
      await run.end({ outcome: 'failure' });
      await page.close();
    } finally {
      await agent.close();
    }
  });

  it('shows approvals arriving and answered elsewhere without a reload; an approver name is required', async () => {
    const agent = await invoiceAgent(storePath, auditPath);
    try {
      const page = await browser.newPage();
      await page.goto(console_.url);
      await page.getByLabel('Approver').fill('');
      await expect.poll(() => page.locator('#empty').isVisible()).toBe(true);
      const run = agent.orbit.startRun();
      const paying = run.execute(agent.payInvoice, {
        invoice_id: 'INV-10',
        amount: 75,
        currency: 'EUR',
        confidence: 0.6,
      });
      const card = page.locator('li.card', { hasText: 'INV-10' });
      await card.waitFor({ timeout: 15_000 }); // arrived, no reload
      await card.getByRole('button', { name: 'Approve', exact: true }).click();
      await expect.poll(() => card.locator('.result').textContent()).toContain('Type your name');

      const [pending] = await agent.store.listPending({ treeId: run.id });
      const answered = await agent.store.answerApproval(
        run.id,
        pending!.request.approval_id,
        { type: 'deny', approver: 'elsewhere@ops', action_hash: pending!.request.action_hash },
        Date.now(),
      );
      expect(answered.ok).toBe(true);
      await card.waitFor({ state: 'detached', timeout: 10_000 }); // answered elsewhere: gone, no reload
      expect((await paying).status).toBe('refused');
      await run.end();
      await page.close();
    } finally {
      await agent.close();
    }
  });
});

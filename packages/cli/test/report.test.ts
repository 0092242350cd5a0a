/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeMetrics, maturityReadiness, recommendThreshold } from '@orbit-agents/core/metrics';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, invoiceAgentLog } from './audit-log.js';
import { CHROMIUM_LAUNCH, hasChromium } from './chromium.js';
import { hasScript, onTerminal, runOrbit } from './run-orbit.js';

const dir = mkdtempSync(join(tmpdir(), 'orbit-report-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const HOSTILE_AGENT = '<script>window.__pwned = 1</script>';
const HOSTILE_TOOL = '<img src=x onerror="window.__pwned = 2">';

let invoice: ReturnType<typeof invoiceAgentLog>;
let audit: string;
let hostile: string;

beforeAll(() => {
  invoice = invoiceAgentLog();
  audit = file('audit.jsonl', invoice.jsonl());
  const log = new AuditLog(HOSTILE_AGENT, '2026-12-01T10:00:00Z');
  log.startRun().paused(HOSTILE_TOOL, 0.8, 'deny', 2000).endRun('success');
  hostile = file('hostile.jsonl', log.jsonl());
});

describe('orbit report (text)', () => {
  it('prints the weekly review: runs, decisions, rates, latency, histogram, drift, series, thresholds, readiness', () => {
    const run = runOrbit(['report', audit]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const out = run.stdout;
    expect(out).toContain('ORBIT weekly review\n');
    expect(out).toContain('Events: 300, 2026-11-23 to 2026-12-06');
    expect(out).toContain('Agent invoice-agent (maturity level 2, from its decisions)');
    expect(out).toContain('Runs        42 started, 41 ended (1 halted), 0 open');
    expect(out).toContain('task success 81.0%, abandonment 2.4%');
    expect(out).toContain('Decisions   129: proceed 84, proceed_with_log 0, pause 44, block 0, halt 1');
    expect(out).toContain('interrupt rate 34.1%; human 42, timeout 2');
    expect(out).toContain(
      'Overrides   14 of 42 human answers, override rate 33.3% (approve 28, deny 7, edit 7)',
    );
    expect(out).toContain('Latency     p50 18.0 s, p90 28.0 s, max 32.0 s (42 answers)');
    expect(out).toContain('Halts       1 (1 outside the manifest)');
    expect(out).toMatch(/0\.9-1\.0 \|#{20} {10}\| 84 \(65\.1%\)/);
    expect(out).toContain('Drift       PSI 6.203 (significant): baseline 63 decisions, current 66');
    expect(out).toContain('Over time (per day)');
    expect(out).toContain(
      '2026-11-23  decisions     9  interrupt rate  33.3%  override rate   0.0% (3 answers)',
    );
    expect(out).toContain(
      '2026-11-30  decisions     9  interrupt rate  33.3%  override rate  66.7% (3 answers)',
    );
    expect(out).toContain('update_invoice_status  none: target not reachable (42 answers)');
    expect(out).toContain('Maturity readiness, level 2 to 3: NOT READY');
    expect(out).toMatch(/met {6}abandonment rate \(at most\) +2\.4% {2}\(limit 5\.0%\)/);
    expect(out).toMatch(/not met {2}halts outside the manifest \(at most\) +1 {2}\(limit 0\)/);
    expect(out).toContain('- 1 halts for calls outside the manifest; at most 0 allowed');
    expect(out).not.toContain('\u001b['); // plain when piped
  });

  it('recommends a threshold with a looser target, judges another level, and buckets per week', () => {
    const run = runOrbit([
      'report',
      audit,
      '--target-override-rate',
      '0.5',
      '--min-samples',
      '10',
      '--level',
      '1',
      '--bucket',
      'week',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'update_invoice_status  0.62  (override rate 33.3%, upper bound 46.0%, 42 answers)',
    );
    expect(run.stdout).toContain('(maturity level 1, from --level)');
    expect(run.stdout).toContain('Maturity readiness, level 1 to 2: NOT READY');
    expect(run.stdout).toContain('Over time (per week)');
    expect(run.stdout).toContain('2026-11-23  decisions    63');
    expect(run.stdout).toContain('2026-11-30  decisions    66');
  });

  it('filters by --agent and --since, and exits 4 for an agent that is not in the files', () => {
    const both = runOrbit(['report', audit, hostile, '--agent', 'invoice-agent', '--since', '2026-12-01']);
    expect(both.code).toBe(0);
    expect(both.stdout).toContain('Agent: invoice-agent\nSince: 2026-12-01T00:00:00.000Z');
    expect(both.stdout).not.toContain('window.__pwned');
    expect(both.stdout).toMatch(/Events: \d+, 2026-12-01 to 2026-12-06/);
    const unknown = runOrbit(['report', audit, '--agent', 'nobody']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toBe(
      `orbit: no events of agent "nobody" in ${audit}; agents there: invoice-agent.\n`,
    );
  });

  it('says "no events" and exits 0 for an empty log, or when --since leaves nothing', () => {
    const empty = file('empty.jsonl', '\n');
    const run = runOrbit(['report', empty]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`No events: ${empty} hold no audit events.\n`);
    const late = runOrbit(['report', audit, '--since', '2027-01-01', '--json']);
    expect(late.code).toBe(0);
    expect(JSON.parse(late.stdout)).toMatchObject({ metrics: { events: 0, agents: {} }, agents: [] });
  });
});

describe('orbit report: progress', () => {
  it.skipIf(!hasScript)('shows a progress line on a terminal, and none when piped', () => {
    const watched = onTerminal(['report', audit], '');
    expect(watched.code).toBe(0);
    expect(watched.output).toMatch(/\rreading .*audit\.jsonl: [\d,]+ events/);
    const piped = runOrbit(['report', audit]);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('reading');
  });
});

describe('orbit report --json', () => {
  it("prints the core's metrics, thresholds and readiness for the same events, unchanged", () => {
    const run = runOrbit(['report', audit, '--json', '--target-override-rate', '0.5', '--min-samples', '10']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.report).toEqual({
      sources: [audit],
      agent: null,
      since: null,
      skippedLines: 0,
      bucket: 'day',
      targetOverrideRate: 0.5,
      minSamples: 10,
    });
    const metrics = computeMetrics(invoice.events, { drift: doc.metrics.drift });
    expect(doc.metrics).toEqual(metrics);
    expect(doc.metrics.drift).toEqual({
      baseline: { from: '2026-11-23T09:00:00.000Z', to: '2026-11-29T21:01:19.000Z' },
      current: { from: '2026-11-29T21:01:19.000Z', to: '2026-12-06T09:02:38.001Z' },
    });
    const [agent] = doc.agents;
    expect(agent.agentId).toBe('invoice-agent');
    expect(agent.thresholds).toEqual(
      recommendThreshold(metrics, { targetOverrideRate: 0.5, minSamples: 10, agentId: 'invoice-agent' }),
    );
    expect(agent.thresholds.tools.update_invoice_status.threshold).toBe(0.62);
    expect(agent.readiness).toEqual(maturityReadiness(metrics, 'invoice-agent', 2));
    expect(agent.series).toHaveLength(14);
    expect(agent.series[7]).toEqual({
      from: '2026-11-30T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      decisions: 9,
      interrupts: 3,
      interruptRate: 1 / 3,
      humanAnswers: 3,
      humanOverrides: 2,
      humanOverrideRate: 2 / 3,
    });
  });

  it('takes explicit drift periods (--baseline and --current)', () => {
    const run = runOrbit([
      'report',
      audit,
      '--json',
      '--baseline',
      '2026-11-23..2026-11-30',
      '--current',
      '2026-11-30..2026-12-07',
    ]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.metrics.drift.current).toEqual({
      from: '2026-11-30T00:00:00.000Z',
      to: '2026-12-07T00:00:00.000Z',
    });
    const drift = doc.metrics.agents['invoice-agent'].drift;
    expect(drift.baseline.count).toBe(63);
    expect(drift.current.count).toBe(66);
    expect(drift.interpretation).toBe('significant');
  });
});

describe('orbit report --html', () => {
  it('writes one self-contained page that parses, has the SVG charts with tables, and escapes hostile names', async () => {
    const out = join(dir, 'report.html');
    const run = runOrbit(['report', audit, hostile, '--html', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`Wrote ${out}: 2 agents, 305 events.\n`);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
    expect(html).not.toContain(HOSTILE_AGENT);
    expect(html).not.toContain(HOSTILE_TOOL);
    expect(html).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');

    if (!hasChromium()) return; // the page's text checks above ran; the browser part needs Chromium
    const browser = await chromium.launch(CHROMIUM_LAUNCH);
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(`file://${out}`);
      const seen = await page.evaluate(() => {
        const sections = [...document.querySelectorAll('section.agent')];
        return {
          pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
          scripts: document.querySelectorAll('script').length,
          images: document.querySelectorAll('img').length,
          headings: sections.map((s) => s.querySelector('h2')?.textContent),
          svgs: sections.map((s) =>
            [...s.querySelectorAll('svg')].map((svg) => ({
              role: svg.getAttribute('role'),
              title: svg.querySelector(':scope > title')?.textContent ?? null,
              axisLabels: [...svg.querySelectorAll('.axis-label')].map((t) => t.textContent),
              table: svg.closest('figure')?.querySelector('details table') !== null,
            })),
          ),
          bars: document
            .querySelectorAll('section.agent')[0]
            ?.querySelectorAll('svg')[0]
            ?.querySelectorAll('rect').length,
          readiness: [...(sections[0]?.querySelectorAll('table') ?? [])].at(-1)?.textContent,
          tools: [...(sections[1]?.querySelectorAll('details table th[scope=row]') ?? [])].map(
            (th) => th.textContent,
          ),
        };
      });
      expect(seen.pwned).toBeNull();
      expect(seen.scripts).toBe(0);
      expect(seen.images).toBe(0);
      expect(requests).toEqual([`file://${out}`]);
      expect(seen.headings).toEqual(['Agent invoice-agent', `Agent ${HOSTILE_AGENT}`]);
      for (const charts of seen.svgs) {
        expect(charts).toHaveLength(3);
        for (const chart of charts) {
          expect(chart.role).toBe('img');
          expect(chart.title).toBeTruthy();
          expect(chart.axisLabels).toHaveLength(2);
          expect(chart.table).toBe(true);
        }
      }
      expect(seen.svgs[0]!.map((c) => c.title)).toEqual([
        'Confidence histogram and drift: PSI 6.203 (significant)',
        'Interrupt and override rates per day',
        'Recommended confidence threshold per tool (target override rate 5.0%)',
      ]);
      expect(seen.bars).toBe(2 + 20); // legend + baseline and current bar per bin
      expect(seen.readiness).toContain('halts outside the manifest (at most)10not met');
      expect(seen.tools).toContain(HOSTILE_TOOL);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('writes a page saying "No events" for an empty log, and exits 3 when it cannot write', () => {
    const empty = file('empty2.jsonl', '');
    const out = join(dir, 'empty.html');
    const run = runOrbit(['report', empty, '--html', out]);
    expect(run.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('<strong>No events</strong>');
    const bad = runOrbit(['report', audit, '--html', join(dir, 'missing-dir', 'r.html')]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toBe(
      `orbit: cannot write the HTML report to "${join(dir, 'missing-dir', 'r.html')}": its directory does not exist.\n`,
    );
  });
});

describe('orbit report: bad input', () => {
  it('exits 3 for a file that does not exist', () => {
    const missing = join(dir, 'nope.jsonl');
    const run = runOrbit(['report', audit, missing]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`orbit: cannot read audit file "${missing}": no such file.\n`);
    const json = runOrbit(['report', missing, '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'ERR_INPUT', message: `cannot read audit file "${missing}": no such file.` },
    });
  });

  it('exits 3 naming file:line for a line that is not an audit event, or skips and counts it with --skip-invalid', () => {
    const lines = invoice.jsonl().split('\n');
    lines.splice(3, 0, '{"not":"an event"}');
    const broken = file('broken.jsonl', lines.join('\n'));
    const run = runOrbit(['report', broken]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      `orbit: ${broken}:4: not an audit event: ts: Invalid input: expected string, received undefined. Fix or remove the line, or pass --skip-invalid to skip such lines.\n`,
    );
    const skipped = runOrbit(['report', broken, '--skip-invalid']);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain('Skipped: 1 lines that are not audit events');
    expect(skipped.stdout).toContain('Events: 300,');
    const json = JSON.parse(runOrbit(['report', broken, '--skip-invalid', '--json']).stdout);
    expect(json.report.skippedLines).toBe(1);
  });

  it('exits 2 for a bad command line, naming the option', () => {
    const cases: [string[], string][] = [
      [['report'], 'orbit: orbit report needs at least one audit file (.jsonl).\n'],
      [['report', audit, '--level', '5'], 'orbit: --level: expected 1, 2, 3 or 4, got "5".\n'],
      [
        ['report', audit, '--since', 'yesterday'],
        'orbit: --since: "yesterday" is not an ISO date or time (2026-12-01).\n',
      ],
      [
        ['report', audit, '--baseline', '2026-11-23..2026-11-30'],
        'orbit: --baseline and --current go together: give both periods, or neither.\n',
      ],
      [
        ['report', audit, '--baseline', '2026-11-30..2026-11-23', '--current', '2026-11-30..2026-12-07'],
        'orbit: --baseline: "2026-11-30" is not before "2026-11-23".\n',
      ],
      [['report', audit, '--bucket', 'month'], 'orbit: --bucket: expected day, week or auto, got "month".\n'],
      [
        ['report', audit, '--target-override-rate', '5'],
        'orbit: --target-override-rate: expected a rate between 0 and 1 (0.05), got "5".\n',
      ],
      [
        ['report', audit, '--min-samples', '0'],
        'orbit: --min-samples: expected a whole number of at least 1, got "0".\n',
      ],
    ];
    for (const [args, message] of cases) {
      const run = runOrbit(args);
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 2, stderr: message });
    }
    expect(runOrbit(['report', '--help']).stdout).toContain('orbit report <audit.jsonl...>');
  });
});

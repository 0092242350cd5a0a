import type { AuditEvent } from '@orbit-agents/core';
import { readAuditEvents } from '@orbit-agents/core/metrics';
import { buildReport, renderReportHtml } from '../report/index.js';
import { escapeHtml } from './http-util.js';

/**
 * The report page's own content security policy: `orbit report --html`'s page has inline styles and no
 * script, so it gets inline styles and nothing else (the console's other pages allow only their own files).
 */
export const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The page behind the console's "Report" link: `orbit report --html` of the audit files the console was
 * started with (`--audit`), read again on every visit; lines that are not audit events are skipped and
 * counted. Without audit files, or with no events in them, a page that says so.
 */
export async function reportPage(auditFiles: readonly string[]): Promise<{ status: number; html: string }> {
  if (auditFiles.length === 0) {
    return {
      status: 200,
      html: notice('The report reads audit files: start the console with --audit <audit.jsonl>.'),
    };
  }
  const events: AuditEvent[] = [];
  let skipped = 0;
  for await (const event of readAuditEvents(auditFiles, { onInvalidLine: () => skipped++ }))
    events.push(event);
  if (events.length === 0)
    return { status: 200, html: notice(`No events: ${auditFiles.join(', ')} hold no audit events.`) };
  return {
    status: 200,
    html: renderReportHtml(buildReport(events, { sources: auditFiles, skippedLines: skipped })),
  };
}

function notice(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Report — ORBIT console</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Report</h1><p role="status">${escapeHtml(message)}</p><p><a href="/">Back to the inbox</a></p></main></body></html>
`;
}

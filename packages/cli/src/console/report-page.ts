import { escapeHtml } from './http-util.js';

/**
 * The page behind the console's "Report" link.
 *
 * TODO(report): `orbit report --html` (`src/report/`, built in parallel) is not in this tree yet. Once
 * `src/report/index.ts` exists, return its `renderReport…` output here (read the audit files given with
 * `--audit`). Until then this hook answers a "not available" page, with status 501.
 */
export async function reportPage(_auditFiles: readonly string[]): Promise<{ status: number; html: string }> {
  const message = 'The report is not available in this build: orbit report is not part of it yet.';
  return {
    status: 501,
    html: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Report — ORBIT console</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/console.css"></head>
<body><header class="top"><a class="brand" href="/">ORBIT console</a><nav><a href="/">Inbox</a> <a href="/report" aria-current="page">Report</a></nav></header>
<main><h1>Report</h1><p role="status">${escapeHtml(message)}</p></main></body></html>
`,
  };
}

// The run view: one run's tree (sub-agent runs under their parent), every decision and its outcome,
// delegations and their token scopes, approvals and who answered, rollbacks. Read from the audit files
// and the store by GET /api/runs/<id>.
import { badge, confidenceText, h, pretty, table, timeText } from './common.js';

const $ = (id) => document.getElementById(id);
const runId = decodeURIComponent(location.pathname.replace(/^\/runs\//, ''));

async function start() {
  $('title').textContent = `Run ${runId}`;
  document.title = `Run ${runId} — ORBIT console`;
  const reply = await fetch(`/api/runs/${encodeURIComponent(runId)}`);
  const body = await reply.json();
  if (!reply.ok) {
    $('status').textContent = body.error?.message ?? reply.statusText;
    return;
  }
  $('status').textContent =
    body.audit_files === 0
      ? 'No audit file was given (--audit): only the approvals in the store are shown.'
      : body.root_run_id === runId
        ? 'The run tree, from the audit files.'
        : 'This run is a sub-agent run; its whole tree is shown.';
  const main = $('run');
  if (body.root_run_id !== runId) {
    main.append(
      h(
        'p',
        {},
        'Root run: ',
        h('a', { href: `/runs/${encodeURIComponent(body.root_run_id)}` }, body.root_run_id),
      ),
    );
  }
  main.append(
    h(
      'section',
      { 'aria-labelledby': 'approvals-title' },
      h('h2', { id: 'approvals-title' }, 'Approvals'),
      storedApprovals(body.approvals),
    ),
  );
  if (body.tree) {
    main.append(
      h(
        'section',
        { 'aria-labelledby': 'tree-title' },
        h('h2', { id: 'tree-title' }, 'Run tree'),
        h('ul', { class: 'tree' }, runNode(body.tree)),
      ),
    );
  }
}

function storedApprovals(approvals) {
  if (approvals.length === 0)
    return h('p', { class: 'note' }, 'No approvals in the store for this run tree.');
  return table(
    'Approvals of this run tree in the store, oldest first',
    ['Approval', 'Run', 'Tool', 'Status', 'Answer', 'Approver', 'Comment', 'Answered'],
    approvals.map((a) => [
      h('code', {}, a.approval_id),
      a.run_id === runId ? 'this run' : h('a', { href: `/runs/${encodeURIComponent(a.run_id)}` }, a.run_id),
      h('code', {}, a.tool),
      badge(a.status),
      a.answer ?? '',
      a.approver ?? '',
      a.comment ?? '',
      timeText(a.answered_at),
    ]),
  );
}

function runNode(node) {
  const heading = h(
    'h3',
    { id: `run-${node.run_id}` },
    node.run_id === runId
      ? `${node.run_id} (this run)`
      : h('a', { href: `/runs/${encodeURIComponent(node.run_id)}` }, node.run_id),
  );
  return h(
    'li',
    {},
    h(
      'section',
      { class: 'run', 'aria-labelledby': `run-${node.run_id}` },
      heading,
      h(
        'p',
        { class: 'meta' },
        `Agent ${node.agent_id ?? 'unknown'} · `,
        badge(node.state ?? 'unknown'),
        node.task_outcome ? ` · outcome ${node.task_outcome}` : '',
        node.parent_run_id ? ` · sub-agent run of ${node.parent_run_id}` : '',
      ),
      calls(node.calls),
      node.approvals.length > 0 &&
        table(
          'Approval events',
          ['Time', 'Tool', 'Event', 'Approver', 'Comment'],
          node.approvals.map((a) => [
            timeText(a.ts),
            h('code', {}, a.tool ?? ''),
            badge(a.approval),
            a.approver ?? '',
            a.comment ?? '',
          ]),
        ),
      node.tokens.length > 0 &&
        table(
          'Delegations: trust tokens',
          ['Time', 'Event', 'Sub-agent', 'Token', 'Depth', 'Scope', 'Expires'],
          node.tokens.map((t) => [
            timeText(t.ts),
            badge(t.token),
            t.sub_agent ?? '',
            h('code', {}, t.token_id ?? ''),
            t.depth ?? '',
            t.scope === undefined ? '' : h('pre', { class: 'json small' }, pretty(t.scope)),
            timeText(t.expires_at),
          ]),
        ),
      node.rollbacks.length > 0 &&
        table(
          'Rollback',
          ['Time', 'Tool', 'Resource', 'Status', 'Error'],
          node.rollbacks.map((r) => [
            timeText(r.ts),
            h('code', {}, r.tool ?? ''),
            r.resource ?? '',
            badge(r.rollback),
            r.error?.message ?? '',
          ]),
        ),
      node.alerts.length > 0 &&
        table(
          'Alerts',
          ['Time', 'Alert', 'Severity', 'Message'],
          node.alerts.map((a) => [timeText(a.ts), a.alert, badge(a.severity ?? ''), a.message ?? '']),
        ),
      node.children.length > 0 && h('ul', { class: 'tree' }, node.children.map(runNode)),
    ),
  );
}

function calls(list) {
  if (list.length === 0) return h('p', { class: 'note' }, 'No calls.');
  return table(
    'Decisions, oldest first',
    ['Time', 'Tool', 'Tier', 'Confidence', 'Decision', 'Reasons', 'Outcome'],
    list.map((c) => [
      timeText(c.ts),
      h('code', {}, c.tool ?? ''),
      c.reversibility ?? '',
      confidenceText(c.confidence),
      badge(c.decision ?? ''),
      (c.reasons ?? []).join(', '),
      c.outcome
        ? [
            badge(c.outcome.status ?? ''),
            c.outcome.decision && c.outcome.decision !== c.decision ? ` (${c.outcome.decision})` : '',
          ]
        : 'pending',
    ]),
  );
}

start().catch((error) => {
  $('status').textContent = `The run cannot be shown: ${error.message}`;
});

// The inbox: every pending approval, kept up to date by Server-Sent Events; answers are POSTed with
// the console's CSRF token.
import { badge, confidenceText, durationText, h, pretty, table, timeText } from './common.js';

const APPROVER_KEY = 'orbit-console-approver';
const cards = new Map(); // approval id -> { el, item }
let session;
let clockSkew = 0; // server clock minus this browser's

const $ = (id) => document.getElementById(id);

function setStatus(text) {
  $('status').textContent = text;
}

function approverName() {
  return session?.approver ?? $('approver').value.trim();
}

async function start() {
  session = await (await fetch('/api/session')).json();
  const input = $('approver');
  if (session.approver) {
    input.hidden = true;
    input.required = false;
    $('approver-fixed').hidden = false;
    $('approver-fixed').textContent = session.approver;
  } else {
    input.value = localStorage.getItem(APPROVER_KEY) ?? '';
    input.addEventListener('input', () => localStorage.setItem(APPROVER_KEY, input.value.trim()));
  }
  $('approver-form').addEventListener('submit', (event) => event.preventDefault());
  const events = new EventSource('/api/events');
  events.addEventListener('inbox', (event) => {
    setStatus('Live: approvals appear and disappear as they arrive and are answered.');
    render(JSON.parse(event.data));
  });
  events.addEventListener('unavailable', (event) => setStatus(JSON.parse(event.data).message));
  events.addEventListener('error', () => setStatus('Connection lost; reconnecting…'));
  setInterval(tick, 1000);
}

function render(snapshot) {
  clockSkew = snapshot.now - Date.now();
  const ids = new Set(snapshot.items.map((item) => item.approval_id));
  let elsewhere = 0;
  for (const [id, card] of cards) {
    // A card being answered here, or answered here, stays (with its result) until dismissed.
    if (ids.has(id) || card.el.dataset.sending === 'true' || card.el.dataset.done === 'true') continue;
    card.el.remove();
    cards.delete(id);
    elsewhere++;
  }
  for (const item of snapshot.items) {
    const known = cards.get(item.approval_id);
    if (known) {
      if (JSON.stringify(known.item.history) !== JSON.stringify(item.history)) {
        known.item = item;
        known.el.querySelector('.history').replaceChildren(history(item, snapshot.audit_files));
      }
      continue;
    }
    const el = renderCard(item, snapshot.audit_files);
    cards.set(item.approval_id, { el, item });
    $('inbox').append(el);
  }
  if (elsewhere > 0) setStatus(`${elsewhere} approval(s) answered elsewhere or expired.`);
  $('count').textContent = `(${snapshot.items.length})`;
  $('empty').hidden = snapshot.items.length > 0;
  tick();
}

function tick() {
  const now = Date.now() + clockSkew;
  for (const { el, item } of cards.values()) {
    const left = el.querySelector('.time-left');
    if (!left || el.dataset.done === 'true') continue;
    left.textContent =
      item.expires_at === null
        ? 'does not expire'
        : item.expires_at <= now
          ? 'expired'
          : durationText(item.expires_at - now);
  }
}

function renderCard(item, auditFiles) {
  const id = item.approval_id;
  const titleId = `title-${id}`;
  const result = h('p', { class: 'result', role: 'alert' });
  const denyComment = h('textarea', { id: `comment-${id}`, rows: 2, maxlength: 2000 });
  const editor = h(
    'textarea',
    { id: `args-${id}`, rows: 8, spellcheck: 'false', class: 'json' },
    pretty(item.args),
  );
  const editError = h('p', { id: `args-error-${id}`, class: 'error', 'aria-live': 'polite' });
  editor.setAttribute('aria-describedby', editError.id);
  const editPanel = h(
    'div',
    { class: 'panel', hidden: true },
    h('label', { for: editor.id }, 'Arguments (JSON)'),
    editor,
    editError,
    h(
      'button',
      { type: 'button', class: 'primary', onclick: () => submitEdit() },
      'Approve with these arguments',
    ),
  );
  editor.addEventListener('input', () => validate());
  const validate = () => {
    try {
      JSON.parse(editor.value);
      editError.textContent = '';
      editor.removeAttribute('aria-invalid');
      return true;
    } catch (error) {
      editError.textContent = `Not valid JSON: ${error.message}`;
      editor.setAttribute('aria-invalid', 'true');
      return false;
    }
  };
  const submitEdit = () => {
    if (validate()) send(item, el, { type: 'edit', args: JSON.parse(editor.value) }, result);
  };
  const allowed = new Set(item.allowed_answers);
  const el = h(
    'li',
    { class: 'card', 'data-approval-id': id },
    h(
      'article',
      { 'aria-labelledby': titleId },
      h('h2', { id: titleId }, h('code', {}, item.tool), ' ', badge(item.reversibility)),
      h(
        'dl',
        { class: 'facts' },
        fact('Confidence', confidenceText(item.confidence)),
        fact('Reasons', item.reasons.length ? item.reasons.join(', ') : 'none'),
        fact('Agent', item.agent_id),
        fact('Run', h('a', { href: `/runs/${encodeURIComponent(item.run_id)}` }, item.run_id)),
        fact('Task', item.task_scope),
        fact('Requested', timeText(item.requested_at)),
        fact('Time left', h('span', { class: 'time-left' })),
      ),
      h('h3', {}, 'Arguments'),
      h('pre', { class: 'json', tabindex: 0 }, pretty(item.args)),
      h('h3', {}, 'History of this run'),
      h('div', { class: 'history' }, history(item, auditFiles)),
      h(
        'div',
        { class: 'actions' },
        allowed.has('approve') &&
          h(
            'button',
            { type: 'button', class: 'primary', onclick: () => send(item, el, { type: 'approve' }, result) },
            'Approve',
          ),
        allowed.has('deny') &&
          h(
            'div',
            { class: 'deny' },
            h('label', { for: denyComment.id }, 'Comment for the agent'),
            denyComment,
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onclick: () => send(item, el, { type: 'deny', comment: denyComment.value }, result),
              },
              'Deny',
            ),
          ),
        allowed.has('edit') &&
          h(
            'button',
            {
              type: 'button',
              'aria-expanded': 'false',
              onclick: (event) => {
                editPanel.hidden = !editPanel.hidden;
                event.currentTarget.setAttribute('aria-expanded', String(!editPanel.hidden));
                if (!editPanel.hidden) editor.focus();
              },
            },
            'Edit',
          ),
      ),
      editPanel,
      result,
    ),
  );
  return el;
}

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function history(item, auditFiles) {
  if (item.history === null || auditFiles === 0) {
    return h('p', { class: 'note' }, 'No audit file was given (--audit): the run’s history is not shown.');
  }
  if (item.history.length === 0) return h('p', { class: 'note' }, 'No earlier decisions in this run.');
  return table(
    'Earlier decisions, oldest first',
    ['Time', 'Tool', 'Confidence', 'Decision', 'Reasons', 'Outcome'],
    item.history.map((entry) => [
      timeText(entry.ts),
      h('code', {}, entry.tool ?? ''),
      confidenceText(entry.confidence),
      badge(entry.decision ?? ''),
      (entry.reasons ?? []).join(', '),
      entry.status ?? '',
    ]),
  );
}

async function send(item, el, answer, result) {
  const approver = approverName();
  if (!approver) {
    result.textContent = 'Type your name (Approver, at the top) before answering.';
    $('approver').focus();
    return;
  }
  for (const button of el.querySelectorAll('button')) button.disabled = true;
  el.dataset.sending = 'true';
  result.textContent = 'Sending…';
  let reply;
  let body;
  try {
    reply = await fetch('/api/answer', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-orbit-csrf': session.csrf_token },
      body: JSON.stringify({
        tree_id: item.tree_id,
        approval_id: item.approval_id,
        action_hash: item.action_hash,
        approver,
        ...answer,
      }),
    });
    body = await reply.json();
  } catch (error) {
    el.dataset.sending = 'false';
    result.textContent = `Not sent: ${error.message}. Try again.`;
    for (const button of el.querySelectorAll('button')) button.disabled = false;
    return;
  }
  if (reply.ok) {
    done(el, `Answered: ${verb(body.approval.answer)} by ${body.approval.approver}.`, 'answered');
  } else if (reply.status === 409 || reply.status === 404) {
    const a = body.approval;
    const who = a?.approver ? `: ${verb(a.answer)} by ${a.approver}` : a ? ` (${a.status})` : '';
    done(el, `Not answered: ${body.message ?? 'conflict'}${who}.`, 'conflict');
  } else {
    el.dataset.sending = 'false';
    result.textContent = `Refused: ${body.error?.message ?? reply.statusText}`;
    for (const button of el.querySelectorAll('button')) button.disabled = false;
    return;
  }
  result.textContent = el.dataset.message;
}

function verb(type) {
  return (
    { approve: 'approved', deny: 'denied', edit: 'approved with edited arguments' }[type] ??
    type ??
    'answered'
  );
}

function done(el, message, kind) {
  el.dataset.done = 'true';
  el.dataset.message = message;
  el.classList.add(kind);
  for (const field of el.querySelectorAll('button, textarea')) field.disabled = true;
  const dismiss = h(
    'button',
    {
      type: 'button',
      class: 'dismiss',
      onclick: () => {
        el.remove();
        cards.delete(el.dataset.approvalId);
      },
    },
    'Dismiss',
  );
  el.querySelector('article').append(dismiss);
}

start().catch((error) => setStatus(`The console cannot start: ${error.message}`));

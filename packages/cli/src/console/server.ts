import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunStore } from '@orbit-agents/core/stores';
import { CliError, EXIT } from '../cli-error.js';
import { answerApproval } from './answer.js';
import type { AuditIndex } from './audit-index.js';
import { readJsonBody, send, sendError, sendJson } from './http-util.js';
import { readInbox } from './inbox.js';
import { LiveUpdates } from './live-updates.js';
import { allowedHostHeaders, hostPort } from './loopback.js';
import { REPORT_CSP, reportPage } from './report-page.js';
import { checkAnyRequest, checkStateChange } from './request-guard.js';
import { readRunView } from './run-view.js';
import { loadStaticFiles, type StaticFile } from './static-files.js';

export interface ConsoleOptions {
  store: RunStore;
  audit: AuditIndex;
  host: string;
  /** 0: any free port. */
  port: number;
  /** `--approver`: every answer is given in this name; `undefined`: the name typed in the page. */
  approver?: string;
  /** `--allow-remote`: the console is bound to a non-loopback address (the `Host` check still applies). */
  allowRemote: boolean;
  /** `--allowed-host`: more `Host` names requests may carry (the names browsers use for a remote console). */
  allowedHosts?: readonly string[];
}

export interface RunningConsole {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

const RUN_PATH = /^\/runs\/([^/]{1,200})$/;
const API_RUN_PATH = /^\/api\/runs\/([^/]{1,200})$/;

/**
 * Starts the approvals console's HTTP server on `host:port`.
 *
 * @throws CliError `ERR_PORT_IN_USE` (exit 3) when the port is taken; `ERR_LISTEN` (exit 3) when the
 * address cannot be bound.
 */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const files = await loadStaticFiles();
  const csrfToken = randomBytes(32).toString('base64url');
  const live = new LiveUpdates(options.store, options.audit);
  let allowedHosts: Set<string> | undefined;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        sendError(res, 500, 'ERR_INTERNAL', error instanceof Error ? error.message : String(error));
      } else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = checkAnyRequest(req, allowedHosts);
    if (refused) return sendError(res, 403, refused.code, refused.message);
    const path = new URL(req.url ?? '/', 'http://console.invalid').pathname;
    if (path === '/api/answer') {
      const stateRefused = checkStateChange(req, csrfToken);
      if (stateRefused) {
        return sendError(
          res,
          stateRefused.code === 'ERR_METHOD' ? 405 : 403,
          stateRefused.code,
          stateRefused.message,
        );
      }
      const read = await readJsonBody(req);
      if (!read.ok) {
        return sendError(
          res,
          read.reason === 'too_large' ? 413 : 400,
          'ERR_BODY',
          `the body is ${read.reason === 'too_large' ? 'too large' : 'not JSON'}.`,
        );
      }
      const reply = await answerApproval(options.store, read.body, options.approver);
      sendJson(res, reply.status, reply.body);
      await live.nudge();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(res, 405, 'ERR_METHOD', 'only GET here; answers are POSTed to /api/answer.');
    }
    const file = staticFor(path, files);
    if (file) return send(res, 200, file.type, file.body);
    if (path === '/api/session') {
      return sendJson(res, 200, {
        csrf_token: csrfToken,
        approver: options.approver ?? null,
        audit_files: options.audit.files.length,
      });
    }
    if (path === '/api/inbox') return sendJson(res, 200, await readInbox(options.store, options.audit));
    if (path === '/api/events') {
      // A live stream never ends: a HEAD (which gets no body) would hold a place for ever.
      if (req.method === 'HEAD')
        return sendError(res, 405, 'ERR_METHOD', 'GET /api/events for the live updates.');
      if (!live.hasRoom()) {
        return sendError(
          res,
          503,
          'ERR_TOO_MANY_STREAMS',
          'too many open event streams: close a console tab.',
        );
      }
      return live.attach(res);
    }
    const runMatch = API_RUN_PATH.exec(path);
    if (runMatch) {
      const runId = decodeSegment(runMatch[1] as string);
      const view = await readRunView(runId, options.audit, options.store);
      if (!view) {
        return sendError(res, 404, 'ERR_RUN_NOT_FOUND', `no run ${runId} in the audit files or the store.`);
      }
      return sendJson(res, 200, view);
    }
    if (path === '/report') {
      const page = await reportPage(options.audit.files);
      return send(res, page.status, 'text/html; charset=utf-8', page.html, {
        'content-security-policy': REPORT_CSP,
      });
    }
    return sendError(res, 404, 'ERR_NOT_FOUND', `nothing at ${path}.`);
  }

  await listen(server, options.host, options.port);
  const { port } = server.address() as AddressInfo;
  allowedHosts = allowedHostHeaders(options.host, port, options.allowedHosts);
  return {
    url: `http://${hostPort(options.host, port)}`,
    host: options.host,
    port,
    async close() {
      live.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL path segment, decoded; a malformed escape is kept as written (and then matches no run). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function staticFor(path: string, files: ReadonlyMap<string, StaticFile>): StaticFile | undefined {
  if (path === '/' || path === '/index.html') return files.get('index.html');
  if (RUN_PATH.test(path)) return files.get('run.html');
  const name = path.slice(1);
  return name === 'index.html' || name === 'run.html' ? undefined : files.get(name);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = hostPort(host, port);
      if (error.code === 'EADDRINUSE') {
        reject(
          new CliError(
            'ERR_PORT_IN_USE',
            `port ${port} on ${host} is in use: choose another --port (or --port 0 for any free port).`,
            EXIT.INPUT,
          ),
        );
      } else {
        reject(new CliError('ERR_LISTEN', `cannot listen on ${where}: ${error.message}`, EXIT.INPUT));
      }
    });
    server.listen(port, host, () => resolve());
  });
}

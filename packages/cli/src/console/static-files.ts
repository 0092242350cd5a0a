import { readFile } from 'node:fs/promises';

/** The page's files, shipped with the package in `console-ui/` (no build step): name → content type. */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'run.html': 'text/html; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'common.js': 'text/javascript; charset=utf-8',
  'inbox.js': 'text/javascript; charset=utf-8',
  'run.js': 'text/javascript; charset=utf-8',
};

export interface StaticFile {
  type: string;
  body: Buffer;
}

/** Where the page's files are: `console-ui/` next to `dist/` (and to `src/`). */
const UI_DIR = new URL('../../console-ui/', import.meta.url);

/** Reads the page's files once, at start: a file missing from the package fails the start. */
export async function loadStaticFiles(): Promise<ReadonlyMap<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const [name, type] of Object.entries(FILES)) {
    files.set(name, { type, body: await readFile(new URL(name, UI_DIR)) });
  }
  return files;
}

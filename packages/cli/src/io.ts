/** What a command reads and writes: injected, so tests and the binary share one path. */
export interface Io {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Standard output is a terminal a person is watching: colour and progress are on. */
  readonly tty: boolean;
  /** `--json`: one JSON document on standard output, nothing else there. */
  readonly json: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Asks a yes/no question on the terminal; `false` when there is no terminal to ask. */
  confirm(question: string): Promise<boolean>;
}

/** Styles text for a terminal; plain when piped or with `NO_COLOR` set. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

const plain = (text: string) => text;
const PLAIN: Style = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain };
const ansi =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const COLOUR: Style = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
};

/** The style for `io`: colour only on a terminal, never with `--json` or `NO_COLOR`. */
export function styleOf(io: Io): Style {
  return io.tty && !io.json && io.env.NO_COLOR === undefined ? COLOUR : PLAIN;
}

/**
 * Prints a command's result: `data` as JSON with `--json`, else the `text` lines. Output stays stable when
 * piped (no colour, no progress): scripts may parse the text, but should use `--json`.
 */
export function emit(io: Io, data: unknown, text: () => string): void {
  io.out(io.json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}

/** A progress line for a person watching: see {@link progress}. */
export interface Progress {
  /** The count so far (shown at most every 100 ms). */
  tick(count: number): void;
  /** Clears the line. */
  done(): void;
}

const SILENT: Progress = { tick() {}, done() {} };

/**
 * A progress line on standard error (`<label>: <count> <unit>`, rewritten in place) while a person watches a
 * terminal; nothing when piped, with `--json` or without a terminal, so output stays stable for scripts.
 */
export function progress(io: Io, label: string, unit: string): Progress {
  if (!io.tty || io.json) return SILENT;
  let shown = 0;
  return {
    tick(count) {
      const now = Date.now();
      if (now - shown < 100) return;
      shown = now;
      io.err(`\r${label}: ${count.toLocaleString('en-US')} ${unit}`);
    },
    done() {
      if (shown !== 0) io.err('\r\u001b[2K');
    },
  };
}

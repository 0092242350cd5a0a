import { spawn } from 'node:child_process';

/**
 * Opens `url` in the desktop's browser (`--open`): `open` on macOS, `start` on Windows, `xdg-open`
 * elsewhere. Best effort: a machine without one is told on standard error, and the console runs on.
 */
export function openBrowser(url: string, onFailure: (message: string) => void): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', (error) =>
      onFailure(`cannot open a browser (${command}: ${error.message}); open ${url}`),
    );
    child.unref();
  } catch (error) {
    onFailure(`cannot open a browser (${(error as Error).message}); open ${url}`);
  }
}

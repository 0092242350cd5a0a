import { existsSync } from 'node:fs';

/** Debian's Chromium (`apt-get install chromium`); `.ci/run` installs it when missing. */
export const CHROMIUM = '/usr/bin/chromium';

/** How ORBIT's browser tests launch it: headless, and quiet on this machine's closed network. */
export const CHROMIUM_LAUNCH = {
  executablePath: CHROMIUM,
  args: [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-gpu',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

/**
 * True when Chromium is installed; otherwise a printed notice (the browser tests skip), except under
 * `ORBIT_REQUIRE_SERVICES=1` (`.ci/run`), where a missing browser fails the run.
 */
export function hasChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.ORBIT_REQUIRE_SERVICES === '1') {
    throw new Error(
      `${CHROMIUM} is missing, and ORBIT_REQUIRE_SERVICES=1 requires it (apt-get install chromium)`,
    );
  }
  console.warn(
    `Chromium is not installed at ${CHROMIUM}: the browser tests are skipped (apt-get install chromium).`,
  );
  return false;
}

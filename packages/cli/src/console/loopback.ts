import { isIP } from 'node:net';

/**
 * True when `host` names this machine only: `localhost`, an IPv4 address in 127.0.0.0/8, or `::1`. The
 * console binds to such an address unless `--allow-remote` says otherwise.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/** How `host:port` is written in a URL and a `Host` header (`[::1]:8080` for IPv6). */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** True for an address that binds every interface (`0.0.0.0`, `::`): no browser names the console by it. */
export function isWildcardHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return bare === '0.0.0.0' || bare === '::' || bare === '0:0:0:0:0:0:0:0';
}

/**
 * The `Host` headers a request may carry: the bound address (unless it is a wildcard), the loopback names,
 * and the names given with `--allowed-host` (the names people's browsers use for a remote console), at the
 * bound port (an allowed name with a port of its own keeps it: a proxy in front). Anything else (a
 * DNS-rebinding page whose name now points at the console) is refused, also with `--allow-remote`.
 */
export function allowedHostHeaders(host: string, port: number, extra: readonly string[] = []): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  if (!isWildcardHost(host)) names.add(host);
  const headers = new Set([...names].map((name) => hostPort(name, port).toLowerCase()));
  for (const name of extra) {
    const lower = name.toLowerCase();
    headers.add(
      /:\d+$/.test(lower) && !lower.endsWith(']') && isIP(lower) !== 6 ? lower : hostPort(lower, port),
    );
  }
  return headers;
}

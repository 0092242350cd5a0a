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

/**
 * The `Host` headers a request to a loopback-bound console may carry: the bound address and the
 * loopback names, at the bound port. Anything else (a DNS-rebinding page whose name now points at
 * 127.0.0.1) is refused.
 */
export function allowedHostHeaders(host: string, port: number): Set<string> {
  const names = new Set([host, 'localhost', '127.0.0.1', '::1']);
  return new Set([...names].map((name) => hostPort(name, port).toLowerCase()));
}

/** Loopback names and addresses, where an open gateway is reachable only from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' ||
    h === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    h === '::ffff:127.0.0.1' ||
    // The same IPv4-mapped loopback address as a browser writes it in a Host header.
    /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h)
  );
}

/**
 * The name or address of a `Host` header (`name`, `name:port`, `[v6]` or `[v6]:port`), or `undefined` when
 * it is none of these: anything else in it (a path, user info, a second host) makes it unusable.
 */
export function hostOfHeader(value: string): string | undefined {
  return /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/?#@\\]+)(?::\d{1,5})?$/.exec(value)?.[1];
}

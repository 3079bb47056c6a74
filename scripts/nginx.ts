// A private nginx for tests: its own config, prefix and temp directories, on a free loopback port.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Nginx {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** What nginx wrote to its error log, for a failing test's message. */
  errors(): string;
  stop(): Promise<void>;
}

/** Where Debian puts nginx; `ensure-test-deps` installs it there when it is missing. */
export const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(existsSync) ?? 'nginx';

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts nginx with `http` (the inside of an `http {}` block, in which `$PORT` is the port to listen on)
 * and resolves once it accepts connections. Temp files, the pid and the error log stay in a private
 * directory, removed on `stop()`.
 */
export async function startNginx(http: (port: number) => string): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'logs-sse-nginx-'));
  const port = await freePort();
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const conf = `
${root ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  ${http(port)}
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const check = spawnSync(NGINX, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx refused the config:\n${check.stderr}\n${conf}`);
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  const errors = () =>
    existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${errors()}`);
    const socket = connect(port, '127.0.0.1');
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    socket.destroy();
    if (ok) break;
    // Not listening yet: wait for nginx's next step rather than spin.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    errors,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

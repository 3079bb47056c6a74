import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logLines, run, until, urlOf, useCli } from './cliProcess';
import { call, log, publish } from './helpers';

useCli();

const dir = mkdtempSync(join(tmpdir(), 'logs-sse-cli-config-'));
let files = 0;

/** Writes `content` (JSON unless a string) to a new config file and returns its path. */
function configFile(content: unknown): string {
  const path = join(dir, `gateway-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Runs the CLI, expecting it to refuse to start with exit code 2 and one line on stderr. */
async function refusal(args: string[], env: Record<string, string> = {}): Promise<string> {
  const started = run(args, env);
  expect(await started.exited).toBe(2);
  expect(started.stdout).toBe('');
  expect(started.stderr.endsWith('\n')).toBe(true);
  expect(started.stderr.split('\n')).toHaveLength(2);
  return started.stderr;
}

const OPEN_WARNING = 'open mode: no auth; listening on loopback only';

/** Waits for the open-mode warning on stderr and returns its log line. */
async function openWarning(started: ReturnType<typeof run>) {
  await until(started, 'stderr', (text) => text.includes(OPEN_WARNING));
  return logLines(started).find((line) => line.msg === OPEN_WARNING);
}

describe('the config file is checked, never guessed', () => {
  it('refuses an unknown key, naming it, the file, the level and the nearest key', async () => {
    const path = configFile({ auth: 'open', maxBodyByte: 1024 });
    expect(await refusal(['--config', path])).toBe(
      `logs-sse-gateway: unknown option "maxBodyByte" in the config file ${path} (top level); did you mean "maxBodyBytes"?\n`,
    );
  });

  it('refuses a key at the wrong level, saying where it belongs', async () => {
    const path = configFile({ publishers: [{ token: 'publisher-token-01', services: ['etl'] }] });
    expect(await refusal(['--config', path])).toBe(
      `logs-sse-gateway: unknown option "publishers" in the config file ${path} (top level); it belongs under "auth"\n`,
    );
  });

  it('refuses a misspelt key inside auth', async () => {
    const path = configFile({ auth: { publisher: [{ token: 'publisher-token-01', services: ['etl'] }] } });
    expect(await refusal([], { LOGS_SSE_CONFIG: path })).toBe(
      `logs-sse-gateway: unknown option "publisher" in the config file ${path} (in "auth"); did you mean "publishers"?\n`,
    );
  });

  it('refuses a key only createGateway takes, saying what the file uses instead', async () => {
    const path = configFile({ auth: 'open', logger: false });
    expect(await refusal(['--config', path])).toBe(
      `logs-sse-gateway: unknown option "logger" in the config file ${path} (top level); the config file sets the level of the logs with "logLevel"\n`,
    );
  });

  it.each([
    [
      { auth: 'open', historyPerChannel: '5' },
      'historyPerChannel in the config file %s must be a whole number >= 1; got "5"',
    ],
    [
      { auth: 'open', port: '3002' },
      'port in the config file %s must be a whole number from 0 to 65535; got "3002"',
    ],
    [
      { auth: 'open', logLevel: 'verbose' },
      'logLevel in the config file %s must be one of fatal, error, warn, info, debug, trace, silent; got "verbose"',
    ],
    [
      { auth: { publishers: [{ token: 'short', services: ['etl'] }] } },
      'auth.publishers[0].token in the config file %s is 5 characters long; tokens need at least 16: use a random value such as the output of `openssl rand -hex 16`',
    ],
  ])('refuses a wrong value: %j', async (content, message) => {
    const path = configFile(content);
    expect(await refusal(['--config', path])).toBe(`logs-sse-gateway: ${message.replace('%s', path)}\n`);
  });

  it('refuses a file that is not JSON, or not an object', async () => {
    const broken = configFile('{"auth": "open",}');
    expect(await refusal(['--config', broken])).toMatch(
      new RegExp(`^logs-sse-gateway: config file ${broken} is not valid JSON: .+\\n$`),
    );
    const list = configFile([]);
    expect(await refusal(['--config', list])).toBe(
      `logs-sse-gateway: config file ${list} must hold a JSON object\n`,
    );
  });
});

describe('a config file without auth', () => {
  it('is refused, saying how to configure auth or ask for open mode', async () => {
    const path = configFile({ historyPerChannel: 10 });
    expect(await refusal(['--config', path])).toBe(
      `logs-sse-gateway: the config file ${path} configures no "auth": add "auth" with publishers, subscribers, jwt or adminToken (or set LOGS_SSE_ADMIN_TOKEN or LOGS_SSE_JWT_SECRET), or write "auth": "open" or pass --open to run without auth on loopback only\n`,
    );
  });

  it.each([
    ['"auth": "open"', { auth: 'open' }, [], {}],
    ['--open', {}, ['--open'], {}],
    ['LOGS_SSE_OPEN=true', {}, [], { LOGS_SSE_OPEN: 'true' }],
  ])('runs open on loopback with %s, and warns that it is open', async (_name, content, args, env) => {
    const started = run(['--port', '0', '--config', configFile(content), ...args], env);
    const url = await urlOf(started);
    expect(await openWarning(started)).toMatchObject({ level: 40, url, auth: 'open', why: 'asked for' });
    expect((await publish(url, log('a', 'open'))).status).toBe(202);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });

  it('runs with auth when LOGS_SSE_JWT_SECRET sets it, without the open warning', async () => {
    const started = run(['--port', '0', '--config', configFile({ historyPerChannel: 10 })], {
      LOGS_SSE_JWT_SECRET: 'j'.repeat(32),
    });
    const url = await urlOf(started);
    const answer = await publish(url, log('a', 'x'));
    expect(answer.status).toBe(401);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(started.stderr).not.toContain(OPEN_WARNING);
  });

  it('refuses open mode asked for together with auth', async () => {
    const withAuth = configFile({ auth: { adminToken: 'admin-token-000001' } });
    expect(await refusal(['--open', '--config', withAuth])).toBe(
      `logs-sse-gateway: --open runs without auth, but "auth" in the config file ${withAuth} configures auth: remove one\n`,
    );
    const open = configFile({ auth: 'open' });
    expect(await refusal(['--config', open], { LOGS_SSE_ADMIN_TOKEN: 'admin-token-000001' })).toBe(
      `logs-sse-gateway: "auth": "open" in the config file ${open} runs without auth, but LOGS_SSE_ADMIN_TOKEN configures auth: remove one\n`,
    );
  });
});

describe('without any config', () => {
  it('runs open on loopback for development, and says so in a warning', async () => {
    const started = run(['--port', '0']);
    const url = await urlOf(started);
    expect(started.stdout).toBe(`${url}\n`);
    expect(await openWarning(started)).toMatchObject({
      level: 40,
      url,
      auth: 'open',
      why: 'nothing configures auth',
    });
    expect((await call(`${url}/admin/logs/stats`)).status).toBe(200);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });
});

describe('every setting gives one line and exit code 2, never a stack trace', () => {
  it.each([
    [
      { LOGS_SSE_LOG_LEVEL: 'wran' },
      'LOGS_SSE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "wran"; did you mean "warn"?',
    ],
    [{ LOGS_SSE_MAX_CHANNELS: 'ten' }, 'LOGS_SSE_MAX_CHANNELS must be a number; got "ten"'],
    [{ LOGS_SSE_MAX_CHANNELS: '2.5' }, 'LOGS_SSE_MAX_CHANNELS must be a whole number >= 1; got 2.5'],
    [
      { LOGS_SSE_HEARTBEAT_SECONDS: '0' },
      'LOGS_SSE_HEARTBEAT_SECONDS must be a number from 0.001 to 2147483.647; got 0',
    ],
    [
      { LOGS_SSE_FLUSH_WINDOW_MS: '-5' },
      'LOGS_SSE_FLUSH_WINDOW_MS must be a whole number from 0 to 1000; got -5',
    ],
    [{ LOGS_SSE_PORT: '70000' }, 'LOGS_SSE_PORT must be a whole number from 0 to 65535; got "70000"'],
    [
      { LOGS_SSE_CORS_ORIGINS: 'https://app.example.com/' },
      'LOGS_SSE_CORS_ORIGINS must hold "*" or origins such as "https://app.example.com" (scheme, host and port only); got "https://app.example.com/"; did you mean "https://app.example.com"?',
    ],
    [
      { LOGS_SSE_ADMIN_TOKEN: 'admin' },
      'LOGS_SSE_ADMIN_TOKEN is 5 characters long; tokens need at least 16: use a random value such as the output of `openssl rand -hex 16`',
    ],
    [
      { LOGS_SSE_JWT_SECRET: 'secret' },
      'LOGS_SSE_JWT_SECRET is 6 bytes long; HS256 needs at least 32: use a random value such as the output of `openssl rand -hex 32`',
    ],
    [{ LOGS_SSE_OPEN: 'yes' }, 'LOGS_SSE_OPEN must be true or false; got "yes"'],
    [
      { LOGS_SSE_REDIS_URL: 'localhost:6379' },
      'LOGS_SSE_REDIS_URL must be a URL starting with redis:// or rediss://; got "localhost:6379"',
    ],
  ])('%j', async (env, message) => {
    // Port 0 unless the case sets one: a gateway that wrongly starts takes no fixed port.
    expect(await refusal([], { LOGS_SSE_PORT: '0', ...env })).toBe(`logs-sse-gateway: ${message}\n`);
  });

  it.each([
    [['--opne'], 'unknown argument --opne; did you mean --open? see --help'],
    [['--open=yes'], '--open takes no value'],
    [['--host='], '--host must be a non-empty string; got ""'],
    [['--port'], '--port needs a value'],
  ])('%j', async (args, message) => {
    expect(await refusal(args)).toBe(`logs-sse-gateway: ${message}\n`);
  });

  it('names both settings when the environment and the file give one token two roles', async () => {
    const path = configFile({ auth: { publishers: [{ token: 'shared-token-00001', services: ['etl'] }] } });
    expect(await refusal(['--config', path], { LOGS_SSE_ADMIN_TOKEN: 'shared-token-00001' })).toBe(
      `logs-sse-gateway: auth.publishers[0].token and auth.adminToken in the config file ${path} with the LOGS_SSE_* variables are the same token: give each role a token of its own\n`,
    );
  });
});

describe('request timeouts from the command line', () => {
  it('answers 408 to a client that never finishes its headers, within LOGS_SSE_HEADERS_TIMEOUT_MS', async () => {
    const started = run(['--port', '0'], {
      LOGS_SSE_HEADERS_TIMEOUT_MS: '200',
      LOGS_SSE_REQUEST_TIMEOUT_MS: '1000',
    });
    const url = new URL(await urlOf(started));
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        // Headers begun and never ended: the slow client that holds a connection for free.
        socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer.startsWith('HTTP/1.1 408 Request Timeout\r\n')).toBe(true);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('request_timeout');
  });

  it('refuses timeouts that are not a number of milliseconds, naming where they came from', async () => {
    expect(await refusal(['--port', '0'], { LOGS_SSE_HEADERS_TIMEOUT_MS: 'soon' })).toBe(
      'logs-sse-gateway: LOGS_SSE_HEADERS_TIMEOUT_MS must be a number; got "soon"\n',
    );
    const path = configFile({ auth: 'open', requestTimeoutMs: 0 });
    expect(await refusal(['--config', path])).toBe(
      `logs-sse-gateway: requestTimeoutMs in the config file ${path} must be a number of milliseconds from 1 to 2147483647; got 0\n`,
    );
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { groupName } from '../src/shared/groupName';
import { createSharedLogsClient } from '../src/shared/index';
import { publishRange, startGateway } from './gatewayHelpers';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Web Locks that only record what was asked of them, and a BroadcastChannel that goes nowhere. */
function fakeBrowserApis() {
  const requested: string[] = [];
  vi.stubGlobal('navigator', {
    locks: {
      request: (name: string) => {
        requested.push(name);
        return new Promise(() => {});
      },
      query: async () => ({ held: [], pending: [] }),
    },
  });
  vi.stubGlobal(
    'BroadcastChannel',
    class {
      onmessage: unknown = null;
      postMessage() {}
      close() {}
    },
  );
  return requested;
}

describe('createSharedLogsClient', () => {
  it('is the ordinary client where the browser cannot share (no Web Locks here): one stream, every entry', async () => {
    const { gateway, url } = await startGateway();
    const client = createSharedLogsClient({ url });
    const channel = 'logs:svc:ws:shared';
    const got: string[] = [];
    client.subscribe(channel, { onLog: (entry) => got.push(entry.message) });
    await vi.waitUntil(() => gateway.stats().connections === 1, { timeout: 5000 });
    await publishRange(url, channel, 1, 3);
    await vi.waitUntil(() => got.length === 3, { timeout: 5000 });
    expect(got).toEqual([`${channel}#1`, `${channel}#2`, `${channel}#3`]);
    expect(client.getLogs(channel).map((entry) => entry.message)).toEqual(got);
    client.close();
    await gateway.close();
  });

  it('asks for the group lock with a static token, and not with a token function unless given a key', async () => {
    const requested = fakeBrowserApis();
    const shared = createSharedLogsClient({ url: 'http://127.0.0.1:9/', token: 'reader-token-0123456789' });
    await vi.waitUntil(() => requested.length > 0, { timeout: 5000 });
    expect(requested[0]).toMatch(/^logs-sse:[0-9a-f]{64}:tab:/);
    expect(requested.join(' ')).not.toContain('reader-token');
    shared.close();

    requested.length = 0;
    const unkeyed = createSharedLogsClient({
      url: 'http://127.0.0.1:9/',
      token: () => 'a-token-that-changes',
    });
    const off = createSharedLogsClient({
      url: 'http://127.0.0.1:9/',
      token: 'reader-token-0123456789',
      share: false,
    });
    const keyed = createSharedLogsClient({
      url: 'http://127.0.0.1:9/',
      token: () => 'a-token-that-changes',
      share: { key: 'user-42' },
    });
    await vi.waitUntil(() => requested.length > 0, { timeout: 5000 });
    // Only the keyed client joined a group: the other two fell back to a stream of their own.
    expect(requested).toHaveLength(1);
    for (const client of [unkeyed, off, keyed]) client.close();
  });

  it('names a group by gateway and credentials: two tokens, or two keys, never meet', async () => {
    const url = 'https://logs.example.com';
    const name = (token: string | null, key: string | null = null) =>
      groupName([url, token, key, null, false]);
    expect(await name('token-a-0123456789')).toBe(await name('token-a-0123456789'));
    expect(await name('token-a-0123456789')).not.toBe(await name('token-b-0123456789'));
    expect(await name(null, 'user-1')).not.toBe(await name(null, 'user-2'));
    expect(await name('token-a-0123456789')).toMatch(/^logs-sse:[0-9a-f]{64}$/);
  });
});

import { type Cursor, compareCursors, LOG_LEVELS, type LogEntry, type StatusEntry } from '@logs-sse/protocol';
import { addSubscriber, type Channel, createChannel, flush } from '../channel';
import { checkSubscribe } from '../checkSubscribe';
import { createLogsClient } from '../client';
import { LogsClientError, type LogsClientErrorCode } from '../errors';
import type { LogsClient } from '../logsClient';
import type { ClientTimers, SubscribeOptions } from '../options';
import { ringEvicted, ringSnapshot } from '../snapshotRing';
import type { ClientStatus, LogsClientStats, StatusListener } from '../status';
import { groupName } from './groupName';
import { createLeader, type Leader } from './leader';
import type { Message, Want } from './messages';
import type { SharedLogsClientOptions } from './options';

/** A channel of one tab: its own buffer, and where it stands with the leader. */
interface TabChannel extends Channel {
  /** The set (`seq`) that first carried the channel to the current leader. */
  seq?: number | undefined;
  /** Whether the leader took the channel on: until then, relayed events are not this tab's yet. */
  acked?: boolean;
  /** Whether the stream carries the channel: then the tab has all of it up to the stream's cursor. */
  live?: boolean;
  /** Cursor of the newest entry delivered: anything not newer is a repeat. */
  last?: Cursor | undefined;
}

const EMPTY: readonly LogEntry[] = Object.freeze([]);
/**
 * Silence after which a follower takes the lock from its leader: twice the leader's beat, less than the
 * 2 s a tab may wait, and more than a busy page's longest usual task.
 */
const SILENCE_MS = 1000;
const noop = () => {};

/**
 * Creates a client whose tabs share one stream: tabs of this origin with the same gateway URL and
 * credentials elect a leader with the Web Locks API; it alone connects, to the union of every tab's
 * channels, and relays each channel's events over a `BroadcastChannel`. Each tab keeps its own buffers
 * and sees exactly its own channels, each entry once, also across a change of leader. Where the browser
 * lacks Web Locks, BroadcastChannel or Web Crypto, with `share: false`, or with a token function and no
 * `share.key`, it is the per-tab `createLogsClient`.
 *
 * @example
 * const client = createSharedLogsClient({ url: 'https://logs.example.com', token: 'reader-token' });
 * client.subscribe('logs:etl:ws-1:run-42', { onLog: (entry) => console.log(entry.message) });
 */
export function createSharedLogsClient(options: SharedLogsClientOptions): LogsClient {
  const {
    share = true,
    token,
    headers,
    withCredentials,
    bufferSize = 1000,
    onError = console.error,
  } = options;
  const timers = options.timers ?? (globalThis as ClientTimers);
  const key = typeof share === 'object' ? share.key : undefined;
  const locks = globalThis.navigator?.locks;
  // Validates the options, and is the stream while this tab leads (or the only one, without sharing).
  let core = createLogsClient(options);
  if (
    !share ||
    !locks ||
    typeof BroadcastChannel !== 'function' ||
    !globalThis.crypto?.subtle ||
    (typeof token === 'function' && key === undefined)
  ) {
    return core;
  }
  let coreUsed = false;
  const tabId = crypto.randomUUID();
  const lifetime = new AbortController();
  const channels = new Map<string, TabChannel>();
  let group = '';
  let bus: BroadcastChannel | undefined;
  let leader: Leader | undefined;
  let releaseLead: (() => void) | undefined;
  /** The tab's queued request for the lock, until it is granted. */
  let pending: AbortController | undefined;
  let watchdog: unknown;
  /** The tab of the last beat heard, and the silences since: a follower takes over after one. */
  let beatFrom: string | undefined;
  let silences = 0;
  /** The leader this tab took the lock from, until it is heard again. */
  let silent: string | undefined;
  /** The epoch of the leader's stream, which its beats carry: its `conn` may predate the `hello`. */
  let beatEpoch: string | undefined;
  let releaseTab: (() => void) | undefined;
  let joined = false;
  let closed = false;
  let syncQueued = false;
  let seq = 0;
  /** The stream's cursor as relayed: every live channel of this tab has all of its entries up to it. */
  let streamAt: Cursor | undefined;
  let remote: Extract<Message, { t: 'conn' }> | undefined;
  let remoteError: LogsClientError | undefined;
  let status: ClientStatus = 'idle';
  let error: LogsClientError | undefined;
  let listeners: StatusListener[] = [];
  let received = 0;
  let duplicates = 0;
  let droppedByRemoved = 0;

  const url = new URL(options.url, globalThis.location?.href).href.replace(/\/+$/, '');
  void groupName([
    url,
    typeof token === 'string' ? token : null,
    key ?? null,
    headers ?? null,
    !!withCredentials,
  ]).then((name) => {
    if (closed) return;
    group = name;
    bus = new BroadcastChannel(name);
    bus.onmessage = (event: MessageEvent<Message>) => receive(event.data);
    // This tab's own lock, which the leader lists to tell live tabs from dead ones.
    locks
      .request(`${name}:tab:${tabId}`, { signal: lifetime.signal }, () => {
        joined = true;
        sync();
        requestLead();
        watch();
        return new Promise<void>((resolve) => (releaseTab = resolve));
      })
      .catch(noop);
  }, onError);

  /**
   * Asks for the group's lock, to lead when it is granted. `steal` takes it from a leader that stopped
   * beating (a page the browser froze or that hangs keeps its lock): its request then rejects, and when
   * it runs again it finds out and follows.
   */
  function requestLead(steal?: boolean): void {
    pending?.abort();
    pending = steal ? undefined : new AbortController();
    let mine: Leader | undefined;
    locks!
      .request(group, steal ? { steal } : { signal: pending!.signal }, () => {
        if (closed || leader) return;
        pending = undefined;
        if (coreUsed) core = createLogsClient(options);
        coreUsed = true;
        mine = leader = createLeader(core, send, aliveTabs, timers, tabId);
        return new Promise<void>((resolve) => (releaseLead = resolve));
      })
      .catch(() => {
        if (!mine || mine !== leader) return;
        // Another tab stole the lock while this one did not answer: it leads now, this tab follows.
        resign();
        onLead();
        requestLead();
      });
  }

  /** Gives the stream up (another tab's request for the lock is granted); this tab follows from now on. */
  function resign(): void {
    leader?.close();
    leader = undefined;
    releaseLead?.();
    releaseLead = undefined;
  }

  /** Arms the watch on the leader's beats, which each beat (and each new leader) re-arms. */
  function watch(): void {
    timers.clearTimeout(watchdog);
    if (!closed) watchdog = timers.setTimeout(onSilence, SILENCE_MS);
  }

  /**
   * The leader stopped beating: it is frozen, hangs, or died without its lock being released. One tab
   * takes over, so that tabs do not steal the lock from each other: the live tab with the lowest id but
   * the silent leader, or any tab after a second silence (that one may be frozen too).
   */
  function onSilence(): void {
    watch();
    if (leader || !joined || closed) return;
    silences++;
    void aliveTabs().then((alive) => {
      alive.delete(beatFrom!);
      if (leader || closed || (silences < 2 && [...alive].sort()[0] !== tabId)) return;
      // The silent tab is not waited for when the new leader gathers the tabs' sets.
      silent = beatFrom;
      requestLead(true);
    });
  }

  async function aliveTabs(): Promise<Set<string>> {
    const prefix = `${group}:tab:`;
    const { held = [] } = await locks!.query();
    return new Set(
      held.flatMap(({ name = '' }) =>
        name.startsWith(prefix) && name !== prefix + silent ? [name.slice(prefix.length)] : [],
      ),
    );
  }

  /** From the leader to every tab, this one included. */
  function send(message: Message): void {
    bus?.postMessage(message);
    receive(message);
  }

  /** From this tab to the leader, wherever it is. */
  function post(message: Message): void {
    if (leader) leader.receive(message);
    else bus?.postMessage(message);
  }

  // Delivery

  function receive(message: Message): void {
    if (closed) return;
    switch (message.t) {
      case 'subs':
      case 'bye':
        // The tab that fell silent runs again: from now on it counts among the live ones.
        if (message.tab === silent) silent = undefined;
        leader?.receive(message);
        return;
      case 'lead':
        onLead();
        return;
      case 'beat':
        beatFrom = message.tab;
        beatEpoch = message.ep;
        silences = 0;
        watch();
        return;
      case 'ack': {
        const channel = channels.get(message.k);
        if (message.to !== tabId || channel?.seq !== message.seq) return;
        channel.acked = true;
        channel.live = message.live;
        deliver(channel, message.l);
        // The channel's current status, which the stream sent the leader before this tab asked.
        if (message.s && !channel.status) {
          channel.status = message.s;
          for (const subscriber of channel.subscribers) call(subscriber.onStatus, message.s);
        }
        return;
      }
      case 'logs': {
        const channel = channels.get(message.k);
        if (channel?.acked) deliver(channel, message.l);
        advance(message.l.at(-1)?.id);
        return;
      }
      case 'ev': {
        const channel = channels.get(message.k);
        const { d, n } = message;
        if (!channel?.acked) return;
        if (d.id) {
          if (channel.last !== undefined && compareCursors(d.id, channel.last) <= 0) {
            duplicates++;
            return;
          }
          channel.last = d.id;
          received++;
        }
        // The newest status, for getStatus; a history the gateway lost empties what the tab held of it.
        if (n === 'onStatus') channel.status = d as StatusEntry;
        if (n === 'onGap' && (d as { reason?: string }).reason === 'reset') {
          channel.pushed = 0;
          channel.snapshot = EMPTY;
        }
        for (const subscriber of channel.subscribers) call(subscriber[n], d);
        return;
      }
      case 'conn': {
        remote = message;
        const { e, s, st } = message;
        remoteError = e && new LogsClientError(e[0] as LogsClientErrorCode, e[1], e[2], e[3] as never);
        if (s === 'open') {
          for (const channel of channels.values()) if (channel.acked) channel.live = true;
          advance(st.lastEventId);
        }
        updateStatus();
      }
    }
  }

  /** A new leader starts from nothing: each channel is taken on again, from where it stands. */
  function onLead(): void {
    watch();
    for (const channel of channels.values()) {
      // Where it stands is fixed before `live` is cleared: a live channel has all of its entries up to
      // the old stream's cursor, though none came (a quiet channel would otherwise start from now).
      channel.last = resumeFrom(channel);
      channel.acked = channel.live = false;
      channel.seq = undefined;
    }
    queueSync();
  }

  function advance(cursor: Cursor | undefined): void {
    if (cursor && (!streamAt || compareCursors(cursor, streamAt) > 0)) streamAt = cursor;
  }

  function call(callback: unknown, value: unknown): void {
    try {
      (callback as ((value: unknown) => void) | undefined)?.(value);
    } catch (thrown) {
      onError(thrown);
    }
  }

  /** Hands a batch to the channel's subscribers, without repeats and without levels none of them wants. */
  function deliver(channel: TabChannel, entries: readonly LogEntry[]): void {
    let lowest = 5;
    for (const { level } of channel.subscribers) lowest = Math.min(lowest, LOG_LEVELS.indexOf(level!));
    for (const entry of entries) {
      if (channel.last !== undefined && compareCursors(entry.id, channel.last) <= 0) {
        duplicates++;
        continue;
      }
      channel.last = entry.id;
      if (channel.since && compareCursors(entry.id, channel.since) <= 0) continue;
      if (lowest > 0 && LOG_LEVELS.indexOf(entry.level) < lowest) continue;
      received++;
      channel.pending.push(entry);
    }
    flush(channel, onError);
  }

  // Channel set

  function queueSync(): void {
    if (syncQueued) return;
    syncQueued = true;
    queueMicrotask(sync);
  }

  /** Drops channels nobody subscribes any more and tells the leader the tab's whole set. */
  function sync(): void {
    syncQueued = false;
    for (const [name, channel] of channels) {
      if (channel.subscribers.length > 0) continue;
      droppedByRemoved += ringEvicted(channel);
      channels.delete(name);
    }
    updateStatus();
    if (!joined || closed) return;
    seq++;
    const wants: Want[] = [];
    for (const channel of channels.values()) {
      channel.seq ??= seq;
      let lowest = 5;
      for (const { level } of channel.subscribers) lowest = Math.min(lowest, LOG_LEVELS.indexOf(level!));
      wants.push([channel.key, LOG_LEVELS[lowest], channel.tail, resumeFrom(channel)]);
    }
    post({ t: 'subs', tab: tabId, seq, w: wants });
  }

  /** The oldest cursor this tab may resume the channel from without losing an entry. */
  function resumeFrom(channel: TabChannel): Cursor | undefined {
    const { last, live } = channel;
    if (live && streamAt && (!last || compareCursors(streamAt, last) > 0)) return streamAt;
    return last ?? channel.since;
  }

  // Status

  function updateStatus(): void {
    let next: ClientStatus = closed ? 'closed' : channels.size === 0 ? 'idle' : (remote?.s ?? 'connecting');
    if (next === 'idle' && channels.size > 0) next = 'connecting';
    const nextError = next === 'error' ? remoteError : undefined;
    if (next === status && nextError === error) return;
    status = next;
    error = nextError;
    for (const listener of listeners) {
      try {
        listener(next, nextError);
      } catch (thrown) {
        onError(thrown);
      }
    }
  }

  function onConnectionStatus(listener: StatusListener): () => void {
    listeners = [...listeners, listener];
    return () => {
      listeners = listeners.filter((l) => l !== listener);
    };
  }

  // A frozen page runs no code, so a frozen leader would hold every tab's stream still: it hands the
  // stream over as it freezes (or is put away for back/forward navigation) and asks for it again.
  const onFreeze = () => {
    // Its timers stand still too: the watch starts over when it resumes, not from before.
    timers.clearTimeout(watchdog);
    if (!leader) return;
    resign();
    requestLead();
  };
  globalThis.document?.addEventListener('freeze', onFreeze);
  globalThis.document?.addEventListener('resume', watch);
  globalThis.addEventListener?.('pagehide', onFreeze);

  return {
    get status() {
      return status;
    },
    get error() {
      return error;
    },
    subscribe(name, subscriber: SubscribeOptions = {}) {
      if (closed) throw new TypeError('subscribe() on a closed client: create a new one');
      checkSubscribe(name, subscriber);
      let channel = channels.get(name);
      if (!channel) {
        channel = createChannel(name, bufferSize, subscriber.since) as TabChannel;
        channels.set(name, channel);
      }
      const unsubscribe = addSubscriber(channel, subscriber, queueSync);
      updateStatus();
      return unsubscribe;
    },
    getLogs(name) {
      const channel = channels.get(name);
      return channel ? ringSnapshot(channel) : EMPTY;
    },
    getStatus: (name) => channels.get(name)?.status,
    onConnectionStatus,
    stats(): LogsClientStats {
      let dropped = droppedByRemoved;
      for (const channel of channels.values()) dropped += ringEvicted(channel);
      const stream = leader ? core.stats() : remote?.st;
      return {
        connections: 0,
        reconnects: 0,
        stalls: 0,
        malformed: 0,
        bytes: 0,
        transport: 'sse',
        lag: undefined,
        ...stream,
        epoch: leader ? stream!.epoch : beatEpoch,
        status,
        received,
        duplicates,
        dropped,
        lastEventId: streamAt,
        channels: channels.size,
      };
    },
    close() {
      if (closed) return;
      closed = true;
      if (leader) resign();
      else bus?.postMessage({ t: 'bye', tab: tabId } satisfies Message);
      if (!coreUsed) core.close();
      lifetime.abort();
      releaseTab?.();
      bus?.close();
      globalThis.document?.removeEventListener('freeze', onFreeze);
      globalThis.document?.removeEventListener('resume', watch);
      timers.clearTimeout(watchdog);
      pending?.abort();
      globalThis.removeEventListener?.('pagehide', onFreeze);
      updateStatus();
      listeners = [];
    },
  };
}

import { type Cursor, compareCursors, LOG_LEVELS, type LogEntry, type LogLevel } from '@logs-sse/protocol';
import type { LogsClient } from '../logsClient';
import type { ClientTimers } from '../options';
import type { Message, Want } from './messages';

/** The tab that holds the group's stream. */
export interface Leader {
  receive(message: Message): void;
  /** Ends the stream (another tab takes it over). */
  close(): void;
}

/** How long a new leader waits for the sets of the tabs alive when it took over. */
const GATHER_MS = 500;
/** How often the leader looks for tabs that died without a word (a crash, a killed process). */
const SWEEP_MS = 1000;
/** How often the leader says it is alive; followers take over after 1 s without a beat. */
const BEAT_MS = 500;

function rank(level: LogLevel | undefined): number {
  return level ? LOG_LEVELS.indexOf(level) : -1;
}

/**
 * Runs `core` on the union of every tab's channels and relays each channel's events to all tabs.
 * Each channel is subscribed once, at the lowest level any tab wants, from the oldest cursor any tab
 * has: after a handover that is where the tab that lags most left off, and each tab drops what it has.
 */
export function createLeader(
  core: LogsClient,
  send: (message: Message) => void,
  aliveTabs: () => Promise<Set<string>>,
  timers: ClientTimers,
  tabId: string,
): Leader {
  const tabs = new Map<string, Map<string, Want>>();
  const held = new Map<string, { level: LogLevel | undefined; stop: () => void }>();
  /** Tabs alive at the takeover whose sets are awaited; `undefined` until the locks are listed. */
  let awaited: Set<string> | undefined;
  let started = false;
  let closed = false;
  let timer = timers.setTimeout(start, GATHER_MS);
  let beatTimer: unknown;
  beat();

  const stopStatus = core.onConnectionStatus(announce);
  send({ t: 'lead' });
  void aliveTabs().then((alive) => {
    awaited = alive;
    maybeStart();
  });

  function beat(): void {
    send({ t: 'beat', tab: tabId, ep: core.stats().epoch });
    beatTimer = timers.setTimeout(beat, BEAT_MS);
  }

  function announce(): void {
    const error = core.error;
    send({
      t: 'conn',
      s: core.status,
      e: error && [error.code, error.status, error.message, error.serverCode],
      st: core.stats(),
    });
  }

  function maybeStart(): void {
    if (!started && awaited && [...awaited].every((tab) => tabs.has(tab))) start();
  }

  function start(): void {
    if (started || closed) return;
    started = true;
    apply();
    timer = timers.setTimeout(sweep, SWEEP_MS);
  }

  function sweep(): void {
    void aliveTabs().then((alive) => {
      if (closed) return;
      let gone = false;
      for (const tab of tabs.keys()) if (!alive.has(tab)) gone = tabs.delete(tab);
      if (gone) apply();
      timer = timers.setTimeout(sweep, SWEEP_MS);
    });
  }

  function apply(): void {
    if (!started || closed) return;
    const union = new Map<string, Want>();
    for (const wants of tabs.values()) {
      for (const want of wants.values()) {
        const [key, level, tail, since] = want;
        const u = union.get(key);
        if (!u) union.set(key, [...want]);
        else {
          if (rank(level) < rank(u[1])) u[1] = level;
          u[2] = Math.max(u[2], tail);
          if (since && (!u[3] || compareCursors(since, u[3]) < 0)) u[3] = since;
        }
      }
    }
    for (const [key, { stop }] of held) {
      if (union.has(key)) continue;
      stop();
      held.delete(key);
    }
    for (const [key, level, tail, since] of union.values()) {
      const current = held.get(key);
      if (current && rank(current.level) <= rank(level)) continue;
      // Subscribed before the old one leaves, so the channel (and its buffer) stays in the stream.
      const stop = core.subscribe(key, {
        level,
        tail,
        since,
        onLogs: (l) => send({ t: 'logs', k: key, l }),
        onStatus: (d) => send({ t: 'ev', k: key, n: 'onStatus', d }),
        onDone: (d) => send({ t: 'ev', k: key, n: 'onDone', d }),
        onGap: (d) => send({ t: 'ev', k: key, n: 'onGap', d: d as { id?: string } }),
      });
      current?.stop();
      held.set(key, { level, stop });
    }
  }

  /** What the leader already has of a channel that a tab asks for with `tail` or `since`. */
  function known(key: string, tail: number, since: Cursor | undefined): readonly LogEntry[] {
    const logs = core.getLogs(key);
    if (since) return logs.filter((entry) => compareCursors(entry.id, since) > 0);
    return tail ? logs.slice(-tail) : [];
  }

  return {
    receive(message) {
      if (closed) return;
      if (message.t === 'bye') {
        tabs.delete(message.tab);
        apply();
      } else if (message.t === 'subs') {
        const { tab, seq, w } = message;
        const before = tabs.get(tab);
        const wants = new Map(w.map((want) => [want[0], want]));
        tabs.set(tab, wants);
        if (!before) announce();
        for (const [key, , tail, since] of w) {
          if (before?.has(key)) continue;
          const live = held.has(key) && core.status === 'open';
          const l = held.has(key) ? known(key, tail, since) : [];
          send({ t: 'ack', to: tab, seq, k: key, l, live, s: core.getStatus(key) });
        }
        apply();
        maybeStart();
      }
    },
    close() {
      if (closed) return;
      closed = true;
      timers.clearTimeout(timer);
      timers.clearTimeout(beatTimer);
      stopStatus();
      core.close();
    },
  };
}

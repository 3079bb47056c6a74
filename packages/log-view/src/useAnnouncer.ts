import { type LogEntry, levelRank } from '@logs-sse/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { countNewer } from './countNewer';

const ERROR_RANK = levelRank('error');
const GATHER_MS = 1000;

/**
 * What the view's polite live region says: a summary of new entries at most every `everyMs` ("12 new
 * entries, 2 errors"), never one announcement per entry, and the outcome of the reader's actions.
 */
export function useAnnouncer(entries: readonly LogEntry[], everyMs: number, active: boolean) {
  const [message, setMessage] = useState('');
  const announced = useRef<string | undefined>(undefined);
  const started = useRef(false);
  const lastAt = useRef(Number.NEGATIVE_INFINITY);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const latest = useRef(entries);
  latest.current = entries;

  useEffect(() => () => clearTimeout(timer.current), []);
  useEffect(() => {
    // What was there when the view mounted is not news.
    if (!started.current) {
      started.current = true;
      announced.current = entries.at(-1)?.id;
      return;
    }
    if (!active || timer.current !== undefined || entries.at(-1)?.id === announced.current) return;
    // A burst is summarised once: the first announcement waits a moment for the rest of it.
    const wait = Math.max(Math.min(GATHER_MS, everyMs), lastAt.current + everyMs - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      const current = latest.current;
      const fresh = Math.min(countNewer(current, announced.current), current.length);
      let errors = 0;
      for (let i = current.length - fresh; i < current.length; i++) {
        if (levelRank(current[i]!.level) >= ERROR_RANK) errors++;
      }
      announced.current = current.at(-1)?.id;
      lastAt.current = Date.now();
      if (fresh === 0) return;
      const summary = `${fresh} new ${fresh === 1 ? 'entry' : 'entries'}`;
      setMessage(errors > 0 ? `${summary}, ${errors} ${errors === 1 ? 'error' : 'errors'}` : summary);
    }, wait);
  }, [entries, active, everyMs]);

  const say = useCallback((text: string) => setMessage(text), []);
  return { message, say };
}

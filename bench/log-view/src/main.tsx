import { LogView } from '@logs-sse/log-view';
import '@logs-sse/log-view/styles.css';
import { type LogEntry, LogsSSEProvider, useLogsSSE } from '@logs-sse/react';
import { LazyLog } from '@melloware/react-logviewer';
import { useEffect, useRef } from 'react';
import { createRoot } from 'react-dom/client';

// One page, three views of the same stream: `?view=ours` (LogView), `?view=melloware` (LazyLog fed
// through its `external` mode and `appendLines`, the way it takes lines it does not fetch itself), and
// `?view=none` (the hook alone, to tell what the views add to what the client holds).
const params = new URLSearchParams(window.location.search);
const view = params.get('view') ?? 'ours';
const gatewayUrl = params.get('gateway') ?? 'http://127.0.0.1:3002';
const channel = params.get('channel') ?? 'logs:bench:ws:view';
const KEEP = 100_000;

declare global {
  interface Window {
    __count: number;
  }
}
window.__count = 0;

function Bench() {
  const { logs } = useLogsSSE({ channel, maxLogs: KEEP });
  useEffect(() => {
    if (view !== 'melloware') window.__count = logs.length;
  }, [logs]);
  return (
    <div style={{ width: 1000, height: 700 }}>
      {view === 'ours' && <LogView logs={logs} theme="light" />}
      {view === 'melloware' && <Melloware logs={logs} />}
    </div>
  );
}

function Melloware({ logs }: { logs: readonly LogEntry[] }) {
  const ref = useRef<LazyLog>(null);
  const last = useRef<string | undefined>(undefined);
  useEffect(() => {
    let from = logs.length;
    while (from > 0 && logs[from - 1]!.id !== last.current) from--;
    if (last.current === undefined) from = 0;
    const lines: string[] = [];
    for (let i = from; i < logs.length; i++) {
      const entry = logs[i]!;
      lines.push(`${entry.timestamp} ${entry.level.toUpperCase()} ${entry.message}`);
    }
    if (lines.length === 0) return;
    last.current = logs.at(-1)?.id;
    ref.current?.appendLines(lines);
    window.__count += lines.length;
  }, [logs]);
  return <LazyLog ref={ref} external follow enableSearch height={700} width={1000} />;
}

createRoot(document.getElementById('root')!).render(
  <LogsSSEProvider gatewayUrl={gatewayUrl} bufferSize={KEEP}>
    <Bench />
  </LogsSSEProvider>,
);

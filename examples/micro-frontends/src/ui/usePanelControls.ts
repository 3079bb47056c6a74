import type { LogLevel } from '@logs-sse/protocol';
import { useMemo, useState } from 'react';

/** The reader's choices in one panel: the lowest level shown and the text searched for. */
export interface PanelControls {
  level: LogLevel;
  setLevel: (level: LogLevel) => void;
  search: string;
  setSearch: (search: string) => void;
  /** `{ level, search }` for `useLogsSSE({ filter })`; a new object only when a choice changes. */
  filter: { level: LogLevel; search: string };
}

export function usePanelControls(initialLevel: LogLevel = 'trace'): PanelControls {
  const [level, setLevel] = useState<LogLevel>(initialLevel);
  const [search, setSearch] = useState('');
  const filter = useMemo(() => ({ level, search }), [level, search]);
  return { level, setLevel, search, setSearch, filter };
}

import type { ClientStatus } from '@logs-sse/client';
import type { LogEntry, LogLevel, StatusEntry } from '@logs-sse/protocol';
import type { CSSProperties, ReactNode } from 'react';
import type { TimeMode } from './format';

/** Where a resource stands: the fields of a `status` event that the header shows. */
export type StatusInfo = Pick<StatusEntry, 'phase' | 'progress' | 'message'>;

export interface LogViewProps {
  /**
   * The entries to show, oldest first: `useLogsSSE`'s `logs`, or any array in cursor order (several
   * channels: {@link mergeLogs}). Keep the same array between updates; a new array is a new batch.
   */
  logs: readonly LogEntry[];
  /** Heading of the panel. Defaults to none. */
  title?: ReactNode;
  /** The channel or pattern the view reads: shown in the header and set as `data-channel`. Defaults to none. */
  channel?: string;
  /** The connection's state (`useLogsSSE`'s `connectionStatus`), shown in the header. Defaults to not shown. */
  connectionStatus?: ClientStatus;
  /** The resource's newest status (`useLogsSSE`'s `status`): phase, progress bar and message; none, no status line. */
  status?: StatusInfo;
  /** Whether the resource reported `done` (`useLogsSSE`'s `done`). Defaults to `false`. */
  done?: boolean;
  /** Why the connection stopped (`useLogsSSE`'s `error`), shown in the header. Defaults to none. */
  error?: { message: string };
  /** Shows a "Clear" button that calls it (`useLogsSSE`'s `clear`). Defaults to no button. */
  clear?: () => void;
  /** Shown between the header and the toolbar. */
  children?: ReactNode;
  /** Lowest level shown when the view mounts; the reader changes it. Defaults to `'trace'` (all). */
  defaultLevel?: LogLevel;
  /** Whether long lines wrap when the view mounts. Defaults to `false` (one line per row, cut). */
  defaultWrap?: boolean;
  /** How rows show their time when the view mounts. Defaults to `'local'`. */
  defaultTime?: TimeMode;
  /** Whether rows show the publisher's own fields when the view mounts. Defaults to `false`. */
  defaultFields?: boolean;
  /** Whether rows start with a badge naming their channel; `'auto'`: when several channels are shown. Defaults to `'auto'`. */
  showChannel?: boolean | 'auto';
  /** Lines of a message shown before it is collapsed behind "show more". Defaults to `5`. */
  collapseAfter?: number;
  /** Height of one line of a row, in pixels (sets `--lv-line-height`). Defaults to `20`. */
  lineHeight?: number;
  /** Colour scheme; `'auto'` follows the reader's system. Defaults to `'auto'`. */
  theme?: 'light' | 'dark' | 'auto';
  /** Name of downloaded files, without extension. Defaults to `'logs'`. */
  fileName?: string;
  /** Query parameter that links to an entry (`?log=<cursor>`). Defaults to `'log'`. */
  linkParam?: string;
  /** Shortest time between two announcements of new entries to screen readers. Defaults to `5000` ms. */
  announceEveryMs?: number;
  /** Accessible name of the rows' region. Defaults to the title when it is text, else `'Logs'`. */
  label?: string;
  className?: string;
  style?: CSSProperties;
}

export type ResolvedOptions = Required<
  Pick<
    LogViewProps,
    | 'defaultLevel'
    | 'defaultWrap'
    | 'defaultTime'
    | 'defaultFields'
    | 'showChannel'
    | 'collapseAfter'
    | 'lineHeight'
    | 'theme'
    | 'fileName'
    | 'linkParam'
    | 'announceEveryMs'
  >
>;

/** The one place where the props' defaults are merged. */
export function resolveOptions(props: LogViewProps): ResolvedOptions {
  return {
    defaultLevel: props.defaultLevel ?? 'trace',
    defaultWrap: props.defaultWrap ?? false,
    defaultTime: props.defaultTime ?? 'local',
    defaultFields: props.defaultFields ?? false,
    showChannel: props.showChannel ?? 'auto',
    collapseAfter: Math.max(1, props.collapseAfter ?? 5),
    lineHeight: props.lineHeight ?? 20,
    theme: props.theme ?? 'auto',
    fileName: props.fileName ?? 'logs',
    linkParam: props.linkParam ?? 'log',
    announceEveryMs: props.announceEveryMs ?? 5000,
  };
}

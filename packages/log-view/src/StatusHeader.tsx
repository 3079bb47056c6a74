import type { ClientStatus } from '@logs-sse/client';
import type { ReactNode } from 'react';
import type { StatusInfo } from './options';

interface StatusHeaderProps {
  title: ReactNode;
  channel: string | undefined;
  connectionStatus: ClientStatus | undefined;
  error: { message: string } | undefined;
  /** Whether to show the status line at all (the view was given a `status` prop or `done`). */
  showStatus: boolean;
  status: StatusInfo | undefined;
  done: boolean;
}

/** Title, channel and connection, then where the resource stands: phase, progress, done. */
export function StatusHeader(props: StatusHeaderProps) {
  const { title, channel, connectionStatus, error, showStatus, status, done } = props;
  const hasTop = title !== undefined || channel !== undefined || connectionStatus !== undefined;
  return (
    <>
      {hasTop && (
        <div className="lv-header">
          {title !== undefined && <h2 className="lv-title">{title}</h2>}
          {channel !== undefined && <code className="lv-channel">{channel}</code>}
          {connectionStatus !== undefined && (
            <span className="lv-connection" data-connection={connectionStatus} title={error?.message}>
              <span className="lv-dot" aria-hidden="true" />
              {connectionStatus}
            </span>
          )}
        </div>
      )}
      {showStatus && <StatusLine status={status} done={done} />}
    </>
  );
}

function StatusLine({ status, done }: { status: StatusInfo | undefined; done: boolean }) {
  const phase = status?.phase;
  const progress = status?.progress;
  const label =
    phase === undefined
      ? done
        ? 'done'
        : 'waiting for status'
      : `${phase}${status?.message ? ` · ${status.message}` : ''}`;
  return (
    <div className="lv-status" data-phase={phase ?? ''} data-done={done}>
      <div
        className={`lv-bar${phase === 'failed' ? ' lv-failed' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={progress}
      >
        <div className="lv-fill" style={{ width: `${progress ?? (done ? 100 : 0)}%` }} />
      </div>
      <span className="lv-status-label">
        {label}
        {progress !== undefined && ` · ${Math.round(progress)}%`}
        {done && phase !== undefined && ' · done'}
      </span>
    </div>
  );
}

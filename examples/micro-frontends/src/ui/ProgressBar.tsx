import type { StatusEntry } from '@logs-sse/protocol';

/** Where a resource stands, from its newest `status` event. */
export interface ProgressInfo {
  phase: string | undefined;
  progress: number | undefined;
  message: string | undefined;
  done: boolean;
}

export function ProgressBar({ phase, progress, message, done }: ProgressInfo) {
  const failed = phase === 'failed';
  const value = progress ?? 0;
  const label = phase === undefined ? 'waiting for status' : `${phase}${message ? ` · ${message}` : ''}`;
  return (
    <div className="progress" data-phase={phase ?? ''} data-done={done}>
      <div
        className={`bar${failed ? ' failed' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={progress}
      >
        <div className="fill" style={{ width: `${value}%` }} />
      </div>
      <span className="label">
        {label}
        {progress !== undefined && ` · ${Math.round(value)}%`}
        {done && ' · done'}
      </span>
    </div>
  );
}

/**
 * The progress to show from `useLogsSSE`'s `status` and `done`. `done` stays `true` once a resource
 * reported it, also while a later run of the same resource reports new phases; the run is only shown
 * as done while its newest status says it ended (100 % or failed).
 */
export function progressOf(status: StatusEntry | undefined, done: boolean): ProgressInfo {
  const ended = status?.progress === 100 || status?.phase === 'failed';
  return { phase: status?.phase, progress: status?.progress, message: status?.message, done: done && ended };
}

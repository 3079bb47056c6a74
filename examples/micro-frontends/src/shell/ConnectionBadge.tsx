import { useLogsConnection } from '@logs-sse/react';

/** The state of the one connection every panel shares. */
export function ConnectionBadge() {
  const { status, error } = useLogsConnection();
  return (
    <span className="connection" data-connection={status} title={error?.message}>
      <span className="dot" aria-hidden="true" />
      {status}
    </span>
  );
}

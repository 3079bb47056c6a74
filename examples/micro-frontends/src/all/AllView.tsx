import { LogView } from '@logs-sse/log-view';
import { useLogsSSE } from '@logs-sse/react';
import { WORKSPACE } from '../config';

/** Every service of the workspace in one view, in the order the gateway stored the entries. */
export function AllView() {
  // A pattern: one subscription for every service and resource of the workspace, new ones included.
  const channel = `logs:*:${WORKSPACE}:*`;
  const logs = useLogsSSE({ channel, maxLogs: 10_000 });
  return <LogView {...logs} title="All services" channel={channel} theme="dark" className="panel tall" />;
}

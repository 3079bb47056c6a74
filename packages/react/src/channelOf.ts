import { formatChannel, isValidChannelPattern } from '@logs-sse/protocol';

/** The ways a hook may name its channel: whole, or by its parts. */
export interface ChannelSelector {
  /** A whole channel or pattern, `logs:{service}:{workspace}:{resource}`; takes precedence over the parts. */
  channel?: string;
  service?: string;
  workspace_id?: string;
  /** The resource, under the name the workflow views use. */
  workflow_id?: string;
  /** The resource; `workflow_id` is read when this is not given. */
  resource_id?: string;
}

/** The channel a hook reads, or `undefined` while its parts are not all known (the hook then waits). */
export function channelOf(selector: ChannelSelector): string | undefined {
  if (selector.channel !== undefined) {
    return isValidChannelPattern(selector.channel) ? selector.channel : undefined;
  }
  const { service, workspace_id, workflow_id, resource_id } = selector;
  const resource = resource_id ?? workflow_id;
  if (service === undefined || workspace_id === undefined || resource === undefined) return undefined;
  return formatChannel({ service, workspace: workspace_id, resource });
}

import { isCursor, isValidChannelPattern, LOG_LEVELS } from '@logs-sse/protocol';
import type { SubscribeOptions } from './options';

/**
 * Throws on a subscription no client can serve. The same rule as in `createLogsClient`, which keeps its
 * inline copy: a call to this module would add bytes to the core bundle every page loads.
 */
export function checkSubscribe(key: string, { level, tail = 0, since }: SubscribeOptions): void {
  if (
    !isValidChannelPattern(key) ||
    (level !== undefined && !LOG_LEVELS.includes(level)) ||
    !(Number.isInteger(tail) && tail >= 0) ||
    (since !== undefined && !isCursor(since))
  ) {
    throw new TypeError(
      `subscribe("${key}"): expected a channel logs:{service}:{workspace}:{resource} (* allowed), a level, a whole tail >= 0, a since cursor`,
    );
  }
}

import { isCursor, isValidChannelPattern, LOG_LEVELS } from '@logs-sse/protocol';
import type { SubscribeOptions } from './options';

/** Throws on a subscription no client can serve: the rule of `createLogsClient` and the shared client. */
export function checkSubscribe(key: string, { level, tail = 0, since, epoch }: SubscribeOptions): void {
  if (
    !isValidChannelPattern(key) ||
    (level !== undefined && !LOG_LEVELS.includes(level)) ||
    !(Number.isInteger(tail) && tail >= 0) ||
    (since !== undefined && !isCursor(since)) ||
    (epoch !== undefined && !isCursor(epoch))
  ) {
    throw new TypeError(
      `subscribe("${key}"): expected a channel logs:{service}:{workspace}:{resource} (* allowed), a level, a whole tail >= 0, since and epoch cursors`,
    );
  }
}

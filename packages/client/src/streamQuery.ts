import { HISTORY_SEPARATOR, LOG_LEVELS } from '@logs-sse/protocol';
import type { Channel } from './channel';

/**
 * The query of a stream that carries `channels`: their keys in a stable order (so that the same set
 * gives the same query, and an unchanged set no reconnect), and the lowest level any subscriber wants;
 * each subscriber filters further.
 */
export function streamQuery(channels: ReadonlyMap<string, Channel>): string {
  let rank = 5;
  for (const channel of channels.values()) {
    for (const { level } of channel.subscribers) rank = Math.min(rank, LOG_LEVELS.indexOf(level!));
  }
  return `channels=${[...channels.keys()].sort().map(encodeURIComponent).join(',')}${rank > 0 ? `&level=${LOG_LEVELS[rank]}` : ''}`;
}

/**
 * The `history` items of a stream: each channel that has not got its history asks for it, from its
 * `since` cursor or as its last `tail` entries. A channel that asks for none counts as served from now
 * on, so that a larger `tail` of a later subscriber does not load history into a buffer already in use.
 */
export function historyQuery(channels: ReadonlyMap<string, Channel>): string {
  let history = '';
  for (const channel of channels.values()) {
    const from = channel.served ? 0 : (channel.since ?? channel.tail);
    if (from)
      history += (history ? ',' : '&history=') + encodeURIComponent(channel.key) + HISTORY_SEPARATOR + from;
    else channel.served = true;
  }
  return history;
}

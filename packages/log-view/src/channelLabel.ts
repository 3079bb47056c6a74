import { parseChannel } from '@logs-sse/protocol';

/** Short name of a channel for its badge: `service/resource`, the parts that differ between panels. */
export function channelLabel(channel: string): string {
  const parts = parseChannel(channel);
  return parts === undefined ? channel : `${parts.service}/${parts.resource}`;
}

/** One of eight badge colours, the same for a channel on every page. */
export function channelHue(channel: string): number {
  let hash = 0;
  for (let i = 0; i < channel.length; i++) hash = (Math.imul(hash, 31) + channel.charCodeAt(i)) | 0;
  return (hash >>> 0) % 8;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeSseEvent, encodeSseRetry, type HelloEvent } from '@logs-sse/protocol';
import { authorizeRead } from '../auth/authorizeRead';
import type { GatewayContext } from '../context';
import { sendError } from '../http';
import type { StoreReadResult } from '../store/store';
import { openSse, writeFrames } from '../stream/sseResponse';
import { writeHistory } from '../stream/streamHistory';
import { Subscriber } from '../stream/subscriber';

/**
 * `GET /api/logs/stream`: `retry:`, `hello`, then one `history` event per `history` item, then gaps and
 * replayed entries (resume, `since` or `tail`), then live entries. The subscriber joins the fan-out before
 * history is read, and entries that arrive meanwhile are held and sent after the replay unless already
 * replayed: nothing is missed or sent twice. History events hold only entries up to the stream's start
 * (the resume cursor, or `hello.cursor`), replay and live entries only later ones.
 */
export async function streamRoute(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  if (ctx.state.closing) {
    sendError(res, 'unavailable', 'the gateway is shutting down', { headers: { 'retry-after': '1' } });
    return;
  }
  const query = await authorizeRead(ctx, req, res, url, 'channels');
  if (!query) return;

  // The client may have left while its token was checked; a closed socket would never report 'close' again.
  if (req.socket.destroyed) return;
  // The gateway may have begun closing meanwhile: its shutdown pass would not see this stream.
  if (ctx.state.closing) {
    sendError(res, 'unavailable', 'the gateway is shutting down', { headers: { 'retry-after': '1' } });
    return;
  }
  const connectionId = `c${(++ctx.state.connectionCounter).toString(36)}-${ctx.options.now().toString(36)}`;
  const sub = new Subscriber(connectionId, res, query.patterns, {
    minLevel: query.minLevel,
    query: query.query,
  });
  const needsReplay = query.after !== null || query.tail !== undefined;
  if (query.follow) ctx.fanout.add(sub);
  const logger = ctx.options.logger;
  logger.debug({ connectionId, channels: sub.patterns.length, follow: query.follow }, 'stream opened');
  res.on('close', () => {
    sub.closed = true;
    ctx.fanout.remove(sub);
    logger.debug({ connectionId }, 'stream closed');
  });
  ctx.metrics.streamsOpened++;

  openSse(res);
  const hello: HelloEvent = {
    connectionId,
    heartbeatSeconds: ctx.options.heartbeatSeconds,
    channels: query.patterns.map((p) => p.source),
    // Read after the subscriber joined the fan-out: every entry newer than this reaches the stream.
    cursor: ctx.store.newestCursor(),
  };
  res.write(encodeSseRetry(ctx.options.retryMs) + encodeSseEvent('hello', JSON.stringify(hello)));

  // Live entries stay held (the subscriber is replaying) until history events and replay are written.
  let historyCount = 0;
  const start = query.resume ? query.after : hello.cursor;
  if (query.history.length > 0) {
    const sent = await writeHistory(ctx, sub, query.history, start);
    if (sent === undefined) return;
    historyCount = sent;
  }

  // After history events, replay and live entries carry only what is newer than the start point.
  const after = query.history.length > 0 ? start : query.after;
  let replayedUpTo: string | null = null;
  if (needsReplay || !query.follow) {
    let history: StoreReadResult;
    try {
      history = await ctx.store.read({ patterns: query.patterns, after, tail: query.tail });
    } catch (error) {
      ctx.options.logger.error({ err: error, connectionId }, 'history read failed');
      res.destroy();
      return;
    }
    const frames: Buffer[] = [];
    if (!query.reportGaps) history.gaps.length = 0;
    for (const gap of history.gaps) frames.push(Buffer.from(encodeSseEvent('gap', JSON.stringify(gap))));
    for (const entry of history.entries) if (sub.accepts(entry)) frames.push(entry.frame);
    replayedUpTo = history.entries.at(-1)?.id ?? null;
    ctx.metrics.logsOut += frames.length - history.gaps.length;
    if (!query.follow) {
      const end = {
        type: 'done',
        reason: 'end_of_history',
        channels: hello.channels,
        count: historyCount + frames.length - history.gaps.length,
      };
      frames.push(Buffer.from(encodeSseEvent('done', JSON.stringify(end))));
      if (await writeFrames(res, frames, () => sub.closed)) res.end();
      return;
    }
    if (!(await writeFrames(res, frames, () => sub.closed))) return;
  }
  // Live entries at or before the resume point (or in history events) were already received: a gateway
  // whose live feed lags the client's cursor must not send them again.
  if (!sub.closed) ctx.fanout.goLive(sub, replayedUpTo ?? after);
}

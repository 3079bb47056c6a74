import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeSseEvent, encodeSseRetry, type HelloEvent } from '@logs-sse/protocol';
import { authorizeRead } from '../auth/authorizeRead';
import type { GatewayContext } from '../context';
import { sendShuttingDown } from '../http/answers';
import { helloFrame } from '../stream/helloFrame';
import { laterCursor, readPages } from '../stream/pagedRead';
import { replayGaps } from '../stream/replayGaps';
import { openSse, writeFrames } from '../stream/sseResponse';
import { stallGuard } from '../stream/stallGuard';
import { writeHistory } from '../stream/streamHistory';
import { writeState } from '../stream/streamState';
import { type StreamFilter, Subscriber } from '../stream/subscriber';

/** The filter of most streams, which ask for no level and no text: one object for all of them. */
const NO_FILTER: StreamFilter = Object.freeze({ minLevel: -1, query: '' });

/**
 * `GET /api/logs/stream`: `retry:`, `hello`, then one `history` event per `history` item, then gaps and
 * replayed entries (resume, `since` or `tail`), then live entries. The subscriber joins the fan-out before
 * history is read, and entries that arrive meanwhile are held and sent after the replay unless already
 * replayed: nothing is missed or sent twice. History events hold only entries up to the stream's start
 * (the resume cursor, or `hello.cursor`), replay and live entries only later ones.
 */
export async function streamRoute(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  if (ctx.state.closing) {
    sendShuttingDown(res);
    return;
  }
  const query = await authorizeRead(ctx, req, res, url, 'channels');
  if (!query) return;

  // The client may have left while its token was checked; a closed socket would never report 'close' again.
  if (req.socket.destroyed) return;
  // The gateway may have begun closing meanwhile: its shutdown pass would not see this stream.
  if (ctx.state.closing) {
    sendShuttingDown(res);
    return;
  }
  const connectionId = `c${(++ctx.state.connectionCounter).toString(36)}-${ctx.options.now().toString(36)}`;
  const filter =
    query.minLevel === NO_FILTER.minLevel && query.query === NO_FILTER.query
      ? NO_FILTER
      : { minLevel: query.minLevel, query: query.query };
  const sub = new Subscriber(connectionId, res, query.patterns, filter);
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
  // A shared store's live feed may lag (it is read once per window): the stream's start point must
  // still cover every write acknowledged before the stream came.
  if (ctx.store.caughtUp) {
    await ctx.store.caughtUp();
    if (sub.closed || res.writableEnded) return;
  }

  openSse(res);
  const hello: HelloEvent = {
    connectionId,
    heartbeatSeconds: ctx.options.heartbeatSeconds,
    channels: query.patterns.map((p) => p.source),
    // Read after the subscriber joined the fan-out: every entry newer than this reaches the stream.
    cursor: ctx.store.newestCursor(),
    epoch: ctx.store.epoch?.() ?? null,
  };
  res.write(encodeSseRetry(ctx.options.retryMs) + helloFrame(hello, query));

  // Live entries stay held (the subscriber is replaying) until state, history events and replay are written.
  let historyCount = 0;
  const start = query.resume ? query.after : hello.cursor;
  if (query.follow && !(await writeState(ctx, sub, start))) return;
  if (query.history.length > 0) {
    const sent = await writeHistory(ctx, sub, query.history, start);
    if (sent === undefined) return;
    historyCount = sent;
  }

  // After history events, replay and live entries carry only what is newer than the start point.
  const after = query.history.length > 0 ? start : query.after;
  let liveAfter = after;
  if (needsReplay || !query.follow) {
    if (!query.follow) ctx.answers.track(res);
    const write = stallGuard(ctx, res, 'replay');
    // The replay ends where the stream started: later entries reach a following stream live (held until
    // the replay is out), and a stream that does not follow wants only what was there when it came.
    const upTo = hello.cursor ?? undefined;
    let replayed = 0;
    let replayedUpTo: string | null = null;
    try {
      for await (const page of readPages(ctx.store, {
        patterns: query.patterns,
        after,
        tail: query.tail,
        upTo,
      })) {
        const frames: Buffer[] = [];
        if (query.reportGaps) {
          for (const gap of replayGaps(page.gaps, query))
            frames.push(Buffer.from(encodeSseEvent('gap', JSON.stringify(gap))));
        }
        for (const entry of page.entries) {
          if (!sub.accepts(entry)) continue;
          frames.push(entry.frame);
          replayed++;
          ctx.metrics.logsOut++;
        }
        replayedUpTo = page.entries.at(-1)?.id ?? replayedUpTo;
        if (!(await writeFrames(res, frames, write))) return;
      }
    } catch (error) {
      ctx.options.logger.error({ err: error, connectionId }, 'history read failed');
      res.destroy();
      return;
    }
    if (!query.follow) {
      const end = {
        type: 'done',
        reason: 'end_of_history',
        channels: hello.channels,
        count: historyCount + replayed,
      };
      if (await writeFrames(res, [Buffer.from(encodeSseEvent('done', JSON.stringify(end)))], write))
        res.end();
      return;
    }
    // Live entries at or before the resume point, the replay's end or the stream's start were already
    // received or deliberately left out: a gateway whose live feed lags must not send them again.
    liveAfter = laterCursor(laterCursor(replayedUpTo, after), hello.cursor);
  }
  if (!sub.closed) ctx.fanout.goLive(sub, liveAfter);
}

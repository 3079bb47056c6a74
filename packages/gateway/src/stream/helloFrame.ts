import { type Cursor, encodeSseEvent, type HelloEvent } from '@logs-sse/protocol';
import type { ReadQuery } from '../query';
import { laterCursor } from './pagedRead';

/** The "start of history" id of a gateway that has stored nothing and knows no epoch yet. */
export const START_CURSOR = '0-0';

/**
 * The `hello` event with an `id:`: the point from which this stream carries every entry, so that any
 * client that follows the SSE standard (a browser's own `EventSource` included) and is cut before its
 * first entry resumes exactly there. It is the resume cursor or `since`, else `hello.cursor`, else the
 * epoch (an empty gateway: "from the start"); never older than the epoch, so a stream that reported a
 * reset once does not report it again when it resumes from its `hello`.
 */
export function helloFrame(hello: HelloEvent, query: Pick<ReadQuery, 'after'>): string {
  const epoch = hello.epoch ?? null;
  const start: Cursor = laterCursor(query.after ?? hello.cursor, epoch) ?? START_CURSOR;
  return encodeSseEvent('hello', JSON.stringify(hello), start);
}

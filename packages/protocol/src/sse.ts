/**
 * Server-Sent Events framing. Every frame ends with a blank line; a line break inside a value would end
 * a field early and let data forge another event, so values are split or cleaned here, once, for every
 * package that writes SSE.
 */

/** One event. `data` may hold line breaks: each line becomes its own `data:` field, as the spec says. */
export function encodeSseEvent(event: string, data: string, id?: string): string {
  let frame = '';
  if (id !== undefined) frame += `id: ${singleLine(id)}\n`;
  frame += `event: ${singleLine(event)}\n`;
  if (data.includes('\n') || data.includes('\r')) {
    for (const line of data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  } else {
    frame += `data: ${data}\n`;
  }
  return `${frame}\n`;
}

/** A comment line, which clients ignore: used for heartbeats and to open the stream. */
export function encodeSseComment(text = ''): string {
  return `:${text === '' ? '' : ` ${singleLine(text)}`}\n\n`;
}

/** Tells the client how long to wait before reconnecting. */
export function encodeSseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}

function singleLine(value: string): string {
  return value.replace(/[\r\n\0]/g, '');
}

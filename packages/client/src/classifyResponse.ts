import { type ErrorBody, isRetryableStatus, parseRetryAfter } from '@logs-sse/protocol';
import { LogsClientError } from './errors';

/**
 * What an answer to a stream request means, by the protocol's retry contract: `undefined` for an event
 * stream to read; the error when retrying cannot help; else the least delay before the next attempt,
 * in milliseconds (what `Retry-After` asks, 0 when it asks nothing readable). Any other answer's body
 * is read or cancelled here, so that the connection is free again.
 */
export async function classifyResponse(
  response: Response,
  now: number,
): Promise<LogsClientError | number | undefined> {
  const { status, headers, body } = response;
  let verdict: LogsClientError | number;
  if (response.ok) {
    if (headers.get('content-type')?.startsWith('text/event-stream') && body) return undefined;
    verdict = new LogsClientError('not_event_stream', status, 'not an event stream: check the url');
  } else if (isRetryableStatus(status)) {
    verdict = parseRetryAfter(headers.get('retry-after'), now) ?? 0;
  } else {
    // Read leniently: the detail only enriches the error, whose own `code` comes from the status.
    const detail = ((await response.json().catch(() => {})) as Partial<ErrorBody> | undefined)?.error;
    return new LogsClientError(
      status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'bad_request',
      status,
      `stream refused: ${status}${detail ? ` ${detail.code}: ${detail.message}` : ''}`,
      detail?.code,
    );
  }
  await body?.cancel();
  return verdict;
}

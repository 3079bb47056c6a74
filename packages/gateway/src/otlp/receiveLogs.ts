import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode } from '@logs-sse/protocol';
import type { Grant } from '../auth/auth';
import type { GatewayContext } from '../context';
import { bearerToken } from '../http/answers';
import { closeAfterAnswer, readBody } from '../http/body';
import { answeredBefore, idempotencyKeyOf, type Keyed, keyed, releaseKey } from '../idempotency/keyedPublish';
import { storeEntries, UNAVAILABLE, writeAnswer } from '../publish/storeEntries';
import { decodeRequest, type OtlpFormat } from './decodeRequest';
import { otlpAnswers, otlpError, otlpSuccess } from './otlpAnswers';
import { toEntries } from './toEntries';

/**
 * `POST /v1/logs` once its encoding is known: the token, the body, the records, then the same store,
 * limits and counters as `POST /api/logs/publish`. Every answer is OTLP's (`ExportLogsServiceResponse`
 * or `google.rpc.Status`) in the request's encoding.
 */
export async function receiveLogs(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  format: OtlpFormat,
): Promise<void> {
  const fail = (code: ErrorCode, message: string, headers?: Record<string, string>) =>
    writeAnswer(res, otlpError(format, code, message, headers));
  // OpenTelemetry exporters send headers only (OTEL_EXPORTER_OTLP_HEADERS): a token in the URL is refused.
  const token = bearerToken(req, url, false);
  if (!token.ok) return fail('invalid_query', token.message);
  const auth = await ctx.auth.check(token.token);
  if (!auth.ok) {
    ctx.metrics.authFailures++;
    return fail(
      auth.code,
      auth.message,
      auth.code === 'unauthorized' ? { 'www-authenticate': 'Bearer' } : {},
    );
  }
  const grant = auth.grant;
  if (grant.services !== '*' && grant.services.size === 0) {
    ctx.metrics.authFailures++;
    closeAfterAnswer(res);
    return fail('forbidden', 'this token may not publish: it has no services');
  }
  // Read before the body, as on publish: a malformed key costs no body.
  const key = idempotencyKeyOf(req, res);
  if (key === false) return;
  if (!ctx.store.isReady()) return fail('unavailable', UNAVAILABLE.message, { 'retry-after': '1' });
  const body = await readBody(req, ctx.options.maxBodyBytes);
  if (!body.ok) {
    if (body.code === 'payload_too_large') closeAfterAnswer(res);
    return fail(body.code, body.message);
  }
  // A repeat must be the same request in the same encoding; it is then answered as the first was.
  const once = key === undefined ? undefined : keyed(grant.identity, key, body.body, `otlp-${format}`);
  if (once && (await answeredBefore(ctx, res, once))) return;
  try {
    await receiveBody(ctx, req, res, format, grant, body.body, once);
  } finally {
    releaseKey(ctx, once);
  }
}

async function receiveBody(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  format: OtlpFormat,
  grant: Grant,
  body: Buffer,
  once: Keyed | undefined,
): Promise<void> {
  const fail = (code: ErrorCode, message: string, headers?: Record<string, string>) =>
    writeAnswer(res, otlpError(format, code, message, headers));
  const decoded = decodeRequest(body, format);
  if (!decoded.ok) return fail('invalid_json', decoded.message);
  const request = decoded.request;

  let total = 0;
  for (const resourceLogs of request.resourceLogs) {
    for (const scopeLogs of resourceLogs.scopeLogs) total += scopeLogs.logRecords.length;
  }
  const max = ctx.options.maxEntriesPerPublish;
  if (total > max) {
    return fail(
      'payload_too_large',
      `the request holds ${total} log records, more than the ${max} one request may hold; export smaller batches`,
    );
  }
  const batch = toEntries(request, ctx.options, grant, ctx.rateLimiter !== undefined);
  ctx.metrics.logsRejected += batch.rejectedCount;
  const { valid, rejected, rejectedCount } = batch;
  if (valid.length === 0) {
    // A token that may publish none of the services named is an auth problem, not a data one.
    if (rejectedCount > 0 && batch.forbiddenCount === rejectedCount) {
      return fail('forbidden', `no log record was accepted: ${rejected[0]!.error.message}`);
    }
    // Nothing to store: the records were not retryable, so OTLP wants a success that counts them.
    return writeAnswer(res, otlpSuccess(format, total, rejected, rejectedCount));
  }
  await storeEntries(
    ctx,
    req,
    res,
    { grant, body, valid, result: { rejected, rejectedCount }, perService: batch.perService, once },
    otlpAnswers(format, total),
  );
}

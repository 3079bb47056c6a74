import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayContext } from '../context';
import { sendError } from '../http/answers';
import type { OtlpFormat } from '../otlp/decodeRequest';

/** Where OTLP/HTTP exporters send logs: `OTEL_EXPORTER_OTLP_ENDPOINT` plus this path. */
export const OTLP_LOGS_PATH = '/v1/logs';

const FORMATS: Readonly<Record<string, OtlpFormat>> = {
  'application/x-protobuf': 'protobuf',
  'application/protobuf': 'protobuf',
  'application/json': 'json',
};

let receiver: Promise<typeof import('../otlp/receiveLogs')> | undefined;

/**
 * `POST /v1/logs`: an OTLP/HTTP `ExportLogsServiceRequest`, binary protobuf or JSON, gzip allowed. The
 * decoder is loaded on the first request, so a gateway that never receives OTLP never loads it.
 */
export async function otlpLogsRoute(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) {
  ctx.metrics.publishRequests++;
  const media = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const format = FORMATS[media];
  if (format === undefined) {
    sendError(res, 'unsupported_media_type', 'send application/x-protobuf or application/json (OTLP/HTTP)');
    return;
  }
  receiver ??= import('../otlp/receiveLogs');
  const { receiveLogs } = await receiver;
  await receiveLogs(ctx, req, res, url, format);
}

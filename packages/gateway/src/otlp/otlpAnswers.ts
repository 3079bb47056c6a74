import { create, toBinary, toJsonString } from '@bufbuild/protobuf';
import { ERROR_STATUS, type ErrorCode, type RejectedEntry } from '@logs-sse/protocol';
import type { PublishAnswer, PublishAnswers } from '../publish/storeEntries';
import type { OtlpFormat } from './decodeRequest';
import { StatusSchema } from './proto/google/rpc/status_pb';
import { ExportLogsServiceResponseSchema } from './proto/opentelemetry/proto/collector/logs/v1/logs_service_pb';

/** gRPC status codes that go with the gateway's error codes, for the `Status` of a failed export. */
const GRPC_CODE: Partial<Record<ErrorCode, number>> = {
  unauthorized: 16, // UNAUTHENTICATED
  forbidden: 7, // PERMISSION_DENIED
  payload_too_large: 8, // RESOURCE_EXHAUSTED
  rate_limited: 8, // RESOURCE_EXHAUSTED
  unavailable: 14, // UNAVAILABLE
  internal: 13, // INTERNAL
};
const INVALID_ARGUMENT = 3;

/** Longest `error_message` of a partial success, and of a `Status`: an exporter logs it as it is. */
const MAX_MESSAGE = 1024;

/** Distinct reasons a partial success names; the count says how many records there were. */
const REASONS_NAMED = 3;

/**
 * A failed export, answered as OTLP/HTTP requires: the HTTP status of the gateway's error code, with a
 * `google.rpc.Status` in the request's own encoding.
 */
export function otlpError(
  format: OtlpFormat,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): PublishAnswer {
  const status = create(StatusSchema, { code: GRPC_CODE[code] ?? INVALID_ARGUMENT, message: cut(message) });
  return encoded(
    format,
    ERROR_STATUS[code],
    (f) => (f === 'protobuf' ? toBinary(StatusSchema, status) : toJsonString(StatusSchema, status)),
    headers,
  );
}

/** An `ExportLogsServiceResponse`: empty when every record was stored, else with `partial_success`. */
export function otlpSuccess(
  format: OtlpFormat,
  total: number,
  rejected: readonly RejectedEntry[],
  rejectedCount: number,
): PublishAnswer {
  const response = create(ExportLogsServiceResponseSchema, {});
  if (rejectedCount > 0) {
    response.partialSuccess = {
      $typeName: 'opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess',
      rejectedLogRecords: BigInt(rejectedCount),
      errorMessage: partialMessage(total, rejected, rejectedCount),
    };
  }
  return encoded(format, 200, (f) =>
    f === 'protobuf'
      ? toBinary(ExportLogsServiceResponseSchema, response)
      : toJsonString(ExportLogsServiceResponseSchema, response),
  );
}

/** What `storeEntries` answers, for a request of `total` records in `format`. */
export function otlpAnswers(format: OtlpFormat, total: number): PublishAnswers {
  return {
    stored: (result) => otlpSuccess(format, total, result.rejected, result.rejectedCount),
    refused: ({ code, message, retryAfterSeconds }) =>
      otlpError(format, code, message, { 'retry-after': String(retryAfterSeconds) }),
  };
}

/** "2 of 5 log records were rejected: record 0: ...; record 3: ...", short whatever the batch. */
function partialMessage(total: number, rejected: readonly RejectedEntry[], count: number): string {
  const seen = new Set<string>();
  const reasons: string[] = [];
  for (const { index, error } of rejected) {
    if (seen.has(error.message)) continue;
    seen.add(error.message);
    reasons.push(`record ${index}: ${error.message}`);
    if (reasons.length === REASONS_NAMED) break;
  }
  return cut(`${count} of ${total} log records were rejected: ${reasons.join('; ')}`);
}

function encoded(
  format: OtlpFormat,
  status: number,
  encode: (format: OtlpFormat) => string | Uint8Array,
  headers: Record<string, string> = {},
): PublishAnswer {
  const contentType = format === 'protobuf' ? 'application/x-protobuf' : 'application/json';
  return { status, headers: { 'content-type': contentType, ...headers }, body: encode(format) };
}

function cut(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

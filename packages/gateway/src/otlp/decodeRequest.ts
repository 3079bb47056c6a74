import { fromBinary, fromJson, type JsonValue } from '@bufbuild/protobuf';
import { MAX_FIELD_DEPTH } from '@logs-sse/protocol';
import { jsonDepthExceeds } from '../http/jsonDepth';
import {
  type ExportLogsServiceRequest,
  ExportLogsServiceRequestSchema,
} from './proto/opentelemetry/proto/collector/logs/v1/logs_service_pb';

/** The two encodings of OTLP/HTTP. */
export type OtlpFormat = 'protobuf' | 'json';

export type Decoded = { ok: true; request: ExportLogsServiceRequest } | { ok: false; message: string };

/**
 * Messages a body may nest: the request, resource, scope and record (5 with the body's AnyValue), then
 * three per level of a field (AnyValue, KeyValueList, KeyValue). Fields one level deeper than entries may
 * hold still decode, so such a record is rejected on its own; a body deeper than that is refused whole.
 */
const RECURSION_LIMIT = 5 + 3 * (MAX_FIELD_DEPTH + 1);

/** JSON nesting of the same: ten levels to a record's attribute value, four per level of a field. */
const JSON_DEPTH_LIMIT = 10 + 4 * (MAX_FIELD_DEPTH + 1);

/**
 * Decodes an `ExportLogsServiceRequest` as OTLP/HTTP sends it: binary protobuf, or the OTLP JSON encoding
 * (proto3 JSON, except that trace and span ids are hex, not base64). Never throws.
 */
export function decodeRequest(body: Buffer, format: OtlpFormat): Decoded {
  try {
    if (format === 'protobuf') {
      return {
        ok: true,
        request: fromBinary(ExportLogsServiceRequestSchema, body, {
          readUnknownFields: false,
          recursionLimit: RECURSION_LIMIT,
        }),
      };
    }
    const text = body.toString('utf8');
    if (jsonDepthExceeds(text, JSON_DEPTH_LIMIT)) {
      return {
        ok: false,
        message: `the body nests deeper than a log record may (${MAX_FIELD_DEPTH} levels)`,
      };
    }
    const json: unknown = JSON.parse(text);
    const ids = hexIdsToBase64(json);
    if (ids !== undefined) return { ok: false, message: ids };
    // Receivers must ignore fields they do not know (OTLP specification, "JSON Protobuf Encoding").
    return {
      ok: true,
      request: fromJson(ExportLogsServiceRequestSchema, json as JsonValue, { ignoreUnknownFields: true }),
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `the body is not an OTLP ExportLogsServiceRequest (${format}): ${cut(reason)}`,
    };
  }
}

/**
 * Rewrites the `traceId` and `spanId` of every record from hex, as OTLP JSON writes them, to the base64
 * of proto3 JSON, in place. Returns why the body is refused, if an id is not hex of its length. Anything
 * that is not where a record would be is left for `fromJson` to judge.
 */
function hexIdsToBase64(json: unknown): string | undefined {
  for (const resourceLogs of listAt(json, 'resourceLogs', 'resource_logs')) {
    for (const scopeLogs of listAt(resourceLogs, 'scopeLogs', 'scope_logs')) {
      for (const record of listAt(scopeLogs, 'logRecords', 'log_records')) {
        for (const [camel, snake, bytes] of ID_FIELDS) {
          for (const key of [camel, snake]) {
            const value = (record as Record<string, unknown>)[key];
            if (typeof value !== 'string') continue;
            if (value !== '' && !(value.length === bytes * 2 && HEX.test(value))) {
              return `${camel} must be ${bytes * 2} hex digits (OTLP JSON does not use base64 for ids); got ${JSON.stringify(cut(value, 40))}`;
            }
            (record as Record<string, unknown>)[key] = Buffer.from(value, 'hex').toString('base64');
          }
        }
      }
    }
  }
  return undefined;
}

const ID_FIELDS = [
  ['traceId', 'trace_id', 16],
  ['spanId', 'span_id', 8],
] as const;

const HEX = /^[0-9a-fA-F]*$/;

function listAt(parent: unknown, camel: string, snake: string): unknown[] {
  if (typeof parent !== 'object' || parent === null) return [];
  const value = (parent as Record<string, unknown>)[camel] ?? (parent as Record<string, unknown>)[snake];
  return Array.isArray(value) ? value.filter((v) => typeof v === 'object' && v !== null) : [];
}

function cut(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

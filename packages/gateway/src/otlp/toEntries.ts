import {
  type ErrorCode,
  formatChannel,
  isValidSegment,
  type LogLevel,
  MAX_FIELD_DEPTH,
  MAX_REJECTED_LISTED,
  type NormalizedEntry,
  normalizeLevel,
  type RejectedEntry,
  validateEntry,
} from '@logs-sse/protocol';
import { canPublish, type Grant } from '../auth/auth';
import type { ResolvedOptions } from '../options/options';
import type { ExportLogsServiceRequest } from './proto/opentelemetry/proto/collector/logs/v1/logs_service_pb';
import type { AnyValue, KeyValue } from './proto/opentelemetry/proto/common/v1/common_pb';
import type { LogRecord } from './proto/opentelemetry/proto/logs/v1/logs_pb';

export interface MappedBatch {
  valid: NormalizedEntry[];
  /** The first {@link MAX_REJECTED_LISTED} rejected records, by their position in the request. */
  rejected: RejectedEntry[];
  rejectedCount: number;
  /** Rejected because the token may not publish to the record's service. */
  forbiddenCount: number;
  perService: Map<string, number> | undefined;
}

/** Names an entry already has, or that the wire format owns: an attribute of such a name gets `attr.`. */
const TAKEN = new Set([
  'id',
  'type',
  'channel',
  'timestamp',
  'time',
  'level',
  'message',
  'phase',
  'progress',
  'service',
  'workspace_id',
  'resource_id',
  'workflow_id',
  'trace_id',
  'span_id',
  'trace_flags',
  'scope',
  'event_name',
  '__proto__',
]);

/** Severity numbers 1-4, 5-8, ... 21-24 (OpenTelemetry log data model). */
const LEVEL_BY_SEVERITY: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

const NS_PER_MS = 1_000_000n;

/**
 * Turns every log record of an OTLP request into an entry, validated as a publish entry is. A record
 * that cannot form a channel, carries too many attributes or nests too deep is rejected and counted on
 * its own; nothing here throws.
 */
export function toEntries(
  request: ExportLogsServiceRequest,
  options: ResolvedOptions,
  grant: Grant,
  perServiceWanted: boolean,
): MappedBatch {
  const batch: MappedBatch = {
    valid: [],
    rejected: [],
    rejectedCount: 0,
    forbiddenCount: 0,
    perService: perServiceWanted ? new Map() : undefined,
  };
  const { otlp, maxOtlpAttributes, now } = options;
  let index = 0;
  const reject = (code: ErrorCode, message: string) => {
    batch.rejectedCount++;
    if (code === 'forbidden') batch.forbiddenCount++;
    if (batch.rejected.length < MAX_REJECTED_LISTED) batch.rejected.push({ index, error: { code, message } });
  };
  for (const resourceLogs of request.resourceLogs) {
    const resourceAttributes = resourceLogs.resource?.attributes ?? [];
    const service = segmentOf(resourceAttributes, 'service.name');
    const copied: Record<string, unknown> = {};
    for (const name of otlp.resourceAttributes) {
      const attribute = find(resourceAttributes, name);
      const json = attribute?.value && toJson(attribute.value, 1);
      if (json !== undefined && json !== TOO_DEEP) copied[name] = json;
    }
    const resourceWorkspace = segmentOf(resourceAttributes, otlp.workspaceAttribute);
    const resourceResource = segmentOf(resourceAttributes, otlp.resourceAttribute);
    for (const scopeLogs of resourceLogs.scopeLogs) {
      const scope = scopeLogs.scope?.name ?? '';
      for (const record of scopeLogs.logRecords) {
        const problem = checkRecord(record, service, maxOtlpAttributes);
        if (problem !== undefined) {
          reject('invalid_channel', problem);
          index++;
          continue;
        }
        const workspace =
          segmentOf(record.attributes, otlp.workspaceAttribute) ?? resourceWorkspace ?? otlp.defaultWorkspace;
        const resource =
          segmentOf(record.attributes, otlp.resourceAttribute) ?? resourceResource ?? otlp.defaultResource;
        const bad = [
          [otlp.workspaceAttribute, workspace],
          [otlp.resourceAttribute, resource],
        ].find(([, value]) => !isValidSegment(value));
        if (bad) {
          reject('invalid_channel', `${bad[0]} ${quote(bad[1]!)} is not a channel segment ${SEGMENT}`);
          index++;
          continue;
        }
        if (!canPublish(grant, service!)) {
          reject('forbidden', `this token may not publish to service ${quote(service!)}`);
          index++;
          continue;
        }
        const channel = formatChannel({ service: service!, workspace, resource })!;
        const raw = rawEntry(record, channel, scope, copied, otlp);
        if (typeof raw === 'string') {
          reject('invalid_entry', raw);
          index++;
          continue;
        }
        const result = validateEntry(raw, { now });
        if (!result.ok) {
          reject(result.code, result.message);
          index++;
          continue;
        }
        batch.valid.push(result.entry);
        batch.perService?.set(service!, (batch.perService.get(service!) ?? 0) + 1);
        index++;
      }
    }
  }
  return batch;
}

const SEGMENT = '([A-Za-z0-9_.-], 1 to 128 characters)';

/** Why a record cannot be taken before its fields are looked at, if it cannot. */
function checkRecord(
  record: LogRecord,
  service: string | undefined,
  maxAttributes: number,
): string | undefined {
  if (service === undefined) {
    return 'the resource has no service.name attribute: set OTEL_SERVICE_NAME (or service.name) on the service';
  }
  if (!isValidSegment(service)) {
    return `service.name ${quote(service)} is not a channel segment ${SEGMENT}: set OTEL_SERVICE_NAME`;
  }
  if (record.attributes.length > maxAttributes) {
    return `the record has ${record.attributes.length} attributes, more than the ${maxAttributes} allowed (maxOtlpAttributes)`;
  }
  return undefined;
}

/** The entry a record becomes, before validation; or why it cannot become one. */
function rawEntry(
  record: LogRecord,
  channel: string,
  scope: string,
  copied: Record<string, unknown>,
  otlp: ResolvedOptions['otlp'],
): Record<string, unknown> | string {
  const entry: Record<string, unknown> = {
    channel,
    level: levelOf(record),
    message: messageOf(record),
  };
  const nanos = record.timeUnixNano || record.observedTimeUnixNano;
  // Without either time the gateway's own clock stamps the entry, as for a publish without timestamp.
  if (nanos !== 0n) entry.timestamp = Number(nanos / NS_PER_MS);
  if (hasBytes(record.traceId)) entry.trace_id = Buffer.from(record.traceId).toString('hex');
  if (hasBytes(record.spanId)) entry.span_id = Buffer.from(record.spanId).toString('hex');
  if ((record.flags & 0xff) !== 0) entry.trace_flags = record.flags & 0xff;
  if (scope !== '') entry.scope = scope;
  if (record.eventName !== '') entry.event_name = record.eventName;
  for (const name in copied) entry[name] = copied[name];
  for (const { key, value } of record.attributes) {
    // The channel carries these already.
    if (value === undefined || key === otlp.workspaceAttribute || key === otlp.resourceAttribute) continue;
    const json = toJson(value, 1);
    if (json === TOO_DEEP) return `attribute ${quote(key)} is nested deeper than ${MAX_FIELD_DEPTH} levels`;
    entry[TAKEN.has(key) ? `attr.${key}` : key] = json;
  }
  if (typeof entry.message !== 'string') {
    return `the body is nested deeper than ${MAX_FIELD_DEPTH} levels`;
  }
  return entry;
}

function levelOf(record: LogRecord): LogLevel {
  const n = record.severityNumber;
  if (n >= 1 && n <= 24) return LEVEL_BY_SEVERITY[Math.floor((n - 1) / 4)]!;
  return (record.severityText && normalizeLevel(record.severityText)) || 'info';
}

/** The body as a string: strings as they are, other kinds as JSON; no body is the event name or "". */
function messageOf(record: LogRecord): string | typeof TOO_DEEP {
  const body = record.body;
  if (body === undefined || body.value.case === undefined) return record.eventName;
  if (body.value.case === 'stringValue') return body.value.value;
  const json = toJson(body, 1);
  return json === TOO_DEEP ? TOO_DEEP : JSON.stringify(json);
}

const TOO_DEEP = Symbol('too deep');

/**
 * An AnyValue as JSON: 64-bit integers as numbers when exact, else as strings; bytes as base64; maps as
 * objects. `depth` counts arrays and maps, and past {@link MAX_FIELD_DEPTH} the value is refused.
 */
function toJson(value: AnyValue, depth: number): unknown {
  const v = value.value;
  switch (v.case) {
    case 'stringValue':
    case 'boolValue':
      return v.value;
    case 'intValue': {
      const n = Number(v.value);
      return Number.isSafeInteger(n) ? n : v.value.toString();
    }
    case 'doubleValue':
      return Number.isFinite(v.value) ? v.value : String(v.value);
    case 'bytesValue':
      return Buffer.from(v.value).toString('base64');
    case 'arrayValue': {
      if (depth > MAX_FIELD_DEPTH) return TOO_DEEP;
      const out: unknown[] = [];
      for (const item of v.value.values) {
        const json = toJson(item, depth + 1);
        if (json === TOO_DEEP) return TOO_DEEP;
        out.push(json);
      }
      return out;
    }
    case 'kvlistValue': {
      if (depth > MAX_FIELD_DEPTH) return TOO_DEEP;
      const out: Record<string, unknown> = {};
      for (const { key, value: item } of v.value.values) {
        const json = item === undefined ? null : toJson(item, depth + 1);
        if (json === TOO_DEEP) return TOO_DEEP;
        // A key "__proto__" is data here, not the object's prototype.
        Object.defineProperty(out, key, {
          value: json,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    default:
      // Empty, or an index into a string table that log records do not have.
      return null;
  }
}

/** The attribute's value as a channel segment candidate: strings and integers, else `undefined`. */
function segmentOf(attributes: readonly KeyValue[], name: string): string | undefined {
  const v = find(attributes, name)?.value?.value;
  if (v?.case === 'stringValue') return v.value;
  if (v?.case === 'intValue') return v.value.toString();
  return undefined;
}

function find(attributes: readonly KeyValue[], name: string): KeyValue | undefined {
  for (const attribute of attributes) if (attribute.key === name) return attribute;
  return undefined;
}

/** An id of only zero bytes is "no id" in OTLP. */
function hasBytes(id: Uint8Array): boolean {
  for (const byte of id) if (byte !== 0) return true;
  return false;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

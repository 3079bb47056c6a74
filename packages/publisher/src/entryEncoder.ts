import {
  isValidChannel,
  isValidSegment,
  MAX_MESSAGE_LENGTH,
  MAX_PHASE_LENGTH,
  MAX_PROGRESS,
  normalizeLevel,
} from '@logs-sse/protocol';

/** Fields a child publisher adds to every entry, such as `workspace_id` and `resource_id`. */
export type Bindings = Record<string, unknown>;

/** Equal to no value an entry can hold, so that nothing counts as checked before it has been. */
const NONE = Symbol('none');

/**
 * Turns one entry into the JSON line the gateway reads, checking on the way what is cheap to check
 * (the channel can be formed, the type's required fields are there). Serialises the caller's object once
 * and splices the publisher's own fields in front as text, so the caller's object is neither copied
 * nor changed. Callers catch what `JSON.stringify` or a hostile getter throws.
 */
export class EntryEncoder {
  /** `{"service":"…"` plus the bindings: used when the entry has no `channel`. */
  private readonly headWithService: string;
  /** `{` plus the bindings: used when the entry names its `channel`. */
  private readonly headWithChannel: string;
  private readonly service: unknown;
  private readonly channel: unknown;
  private readonly workspace: unknown;
  private readonly resource: unknown;
  // The last channel parts that passed, so that a run of entries for one resource skips the regexes.
  private okChannel: unknown = NONE;
  private okWorkspace: unknown = NONE;
  private okResource: unknown = NONE;
  /** The last level that passed: `normalizeLevel` lower-cases and looks up every call. */
  okLevel: unknown = NONE;

  constructor(
    service: string,
    readonly bindings: Bindings,
    private readonly now: () => number,
  ) {
    this.service = bindings.service ?? service;
    this.channel = bindings.channel;
    this.workspace = bindings.workspace_id;
    this.resource = bindings.resource_id ?? bindings.workflow_id;
    let fields = '';
    for (const key of Object.keys(bindings)) {
      if (key === 'service' || bindings[key] === undefined) continue;
      fields += `,${JSON.stringify(key)}:${JSON.stringify(bindings[key])}`;
    }
    this.headWithService = `{"service":${JSON.stringify(this.service)}${fields}`;
    this.headWithChannel = fields === '' ? '{' : `{${fields.slice(1)}`;
  }

  /** What {@link spliceLine} puts in front of the last encoded entry: `{` and the publisher's fields. */
  head = '{';
  /** Epoch milliseconds to stamp on the last encoded entry, or `NaN` when it carries its own time. */
  stamp = Number.NaN;

  /**
   * The entry's own JSON, or `undefined` when the gateway would refuse it; sets {@link head} and
   * {@link stamp}. The splice itself waits for the background loop (see {@link spliceLine}), so the
   * caller's thread pays for one `JSON.stringify` and a few checks, nothing more.
   */
  encode(input: unknown): string | undefined {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
    const entry = input as Record<string, unknown>;
    const head = this.checkChannel(entry);
    if (head === undefined || !checkFields(entry, this)) return undefined;
    const json = JSON.stringify(entry) as string | undefined;
    // A toJSON() may turn the object into anything; only an object can be spliced.
    if (typeof json !== 'string' || json.charCodeAt(0) !== 123) return undefined;
    this.head = head;
    // Stamped now, not when the batch leaves: a queued entry keeps the time it happened.
    this.stamp = entry.timestamp === undefined && entry.time === undefined ? this.now() : Number.NaN;
    return json;
  }

  private checkChannel(entry: Record<string, unknown>): string | undefined {
    const channel = entry.channel ?? this.channel;
    if (channel !== undefined) {
      if (channel !== this.okChannel) {
        if (!isValidChannel(channel)) return undefined;
        this.okChannel = channel;
      }
      return this.headWithChannel;
    }
    const service = entry.service ?? this.service;
    const workspace = entry.workspace_id ?? this.workspace;
    const resource = entry.resource_id ?? entry.workflow_id ?? this.resource;
    if (service !== this.service && !isValidSegment(service)) return undefined;
    if (workspace !== this.okWorkspace) {
      if (!isValidSegment(workspace)) return undefined;
      this.okWorkspace = workspace;
    }
    if (resource !== this.okResource) {
      if (!isValidSegment(resource)) return undefined;
      this.okResource = resource;
    }
    return this.headWithService;
  }
}

/** Characters a stamp adds at most: `,"timestamp":` and up to 16 digits. */
export const STAMP_CHARS = 30;

/** What goes in front of an entry's own fields: `head`, then the stamp when there is one. */
export function linePrefix(head: string, stamp: number): string {
  if (Number.isNaN(stamp)) return head;
  return head === '{' ? `{"timestamp":${stamp}` : `${head},"timestamp":${stamp}`;
}

/** The line the gateway reads: {@link linePrefix}, then the entry's own fields. */
export function spliceLine(head: string, stamp: number, json: string): string {
  const prefix = linePrefix(head, stamp);
  if (prefix === '{') return json;
  return json.length === 2 ? `${prefix}}` : `${prefix},${json.slice(1)}`;
}

/**
 * The checks of `validateEntry` that decide whether an entry can be stored at all. Field depth
 * (`MAX_FIELD_DEPTH`) is left to the gateway: checking it would walk every entry on the caller's thread,
 * and a gateway's rejection of one counts it as `invalid` all the same.
 */
function checkFields(entry: Record<string, unknown>, encoder: EntryEncoder): boolean {
  const { type, message } = entry;
  const timestamp = entry.timestamp ?? entry.time;
  if (timestamp !== undefined && typeof timestamp !== 'string' && typeof timestamp !== 'number') return false;
  if (type === undefined || type === 'log') {
    if (typeof message !== 'string' || message.length > MAX_MESSAGE_LENGTH) return false;
    const level = entry.level;
    if (level === undefined || level === encoder.okLevel) return true;
    if (normalizeLevel(level) === undefined) return false;
    encoder.okLevel = level;
    return true;
  }
  if (type === 'status') {
    const { phase, progress } = entry;
    if (typeof phase !== 'string' || phase.length === 0 || phase.length > MAX_PHASE_LENGTH) return false;
    if (
      progress !== undefined &&
      !(typeof progress === 'number' && progress >= 0 && progress <= MAX_PROGRESS)
    ) {
      return false;
    }
    return message === undefined || typeof message === 'string';
  }
  return type === 'done';
}

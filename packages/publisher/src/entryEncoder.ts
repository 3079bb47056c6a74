import { types } from 'node:util';
import {
  isValidChannel,
  isValidSegment,
  MAX_MESSAGE_LENGTH,
  MAX_PHASE_LENGTH,
  MAX_PROGRESS,
  normalizeLevel,
} from '@logs-sse/protocol';
import { type EntryParts, INT, intChars, isPlain, KEY, KEY_JSON, STR, TEXT, WHOLE } from './entryParts';

/** Fields a child publisher adds to every entry, such as `workspace_id` and `resource_id`. */
export type Bindings = Record<string, unknown>;

/** Equal to no value an entry can hold, so that nothing counts as checked before it has been. */
const NONE = Symbol('none');

/** Shapes of entry an encoder remembers; each costs a few comparisons per entry not of it. */
const MAX_SHAPES = 4;

/**
 * Keys an entry had, in order, all free of characters to escape; and for each key, the last string
 * value found to need no escaping: most fields repeat their value entry after entry (a workspace, a
 * level, a message written as a literal), and comparing costs less than checking again.
 */
interface Shape {
  readonly keys: readonly string[];
  readonly values: unknown[];
}

/** What an entry of a shape not remembered compares its values to: nothing. */
const NO_VALUES: readonly unknown[] = [];

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
   * The last few shapes of entry serialised field by field whose keys need no escaping, so that their
   * keys are checked once; a service logs from a handful of places, each with its own shape.
   */
  private readonly shapes: Shape[] = [];
  /** Where the next new shape goes once {@link shapes} is full. */
  private nextShape = 0;

  /**
   * Serialises the entry into `parts`, past their committed end, and returns the number of characters
   * of its JSON; `-1` when the gateway would refuse it. Sets {@link head} and {@link stamp}. Splicing
   * the publisher's fields in and writing the bytes wait for the background loop (see
   * {@link EntryQueue}), so the caller's thread pays for the checks and the serialising only.
   *
   * A plain object of strings, numbers, booleans and nulls is serialised field by field: a part per key
   * and per value, the caller's strings kept as they are once checked to need no escaping. That is
   * what `JSON.stringify` would make of it, character for character, for much less: Node 20's
   * `JSON.stringify` pays about 100 ns per field, which made it most of what `publish()` cost (see
   * docs/benchmarks.md). Strings and numbers cannot change, so the parts are as much a snapshot as the
   * JSON. Anything else (nested values, a `toJSON`, a class instance) goes through `JSON.stringify` whole.
   */
  encode(input: unknown, parts: EntryParts): number {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return -1;
    const entry = input as Record<string, unknown>;
    const head = this.checkChannel(entry);
    if (head === undefined || !checkFields(entry, this)) return -1;
    parts.rewind();
    let chars = isOrdinary(entry) ? this.addFields(entry, parts) : -1;
    if (chars < 0) {
      parts.rewind();
      const json = JSON.stringify(entry) as string | undefined;
      // A toJSON() may turn the object into anything; only an object can be spliced.
      if (typeof json !== 'string' || json.charCodeAt(0) !== 123) return -1;
      parts.add(WHOLE, json);
      chars = json.length;
    }
    this.head = head;
    // Stamped now, not when the batch leaves: a queued entry keeps the time it happened.
    this.stamp = entry.timestamp === undefined && entry.time === undefined ? this.now() : Number.NaN;
    return chars;
  }

  /** The fields as parts, and the characters of the JSON they make; `-1` when a value is not flat. */
  private addFields(entry: Record<string, unknown>, parts: EntryParts): number {
    const keys = Object.keys(entry);
    const count = keys.length;
    const shape = this.shapeOf(keys);
    const checked = shape !== undefined;
    const seen = checked ? shape.values : NO_VALUES;
    let allPlain = true;
    let chars = 1;
    for (let i = 0; i < count; i++) {
      const key = keys[i]!;
      const value = entry[key];
      let kind: number;
      let part: string | number;
      let size: number;
      switch (typeof value) {
        case 'string':
          if ((checked && seen[i] === value) || isPlain(value)) {
            if (shape !== undefined) shape.values[i] = value;
            kind = STR;
            part = value;
            size = value.length + 2;
          } else {
            kind = TEXT;
            part = JSON.stringify(value);
            size = part.length;
          }
          break;
        case 'number':
          if ((value | 0) === value) {
            kind = INT;
            part = value;
            size = intChars(value);
          } else {
            kind = TEXT;
            part = Number.isFinite(value) ? String(value) : 'null';
            size = part.length;
          }
          break;
        case 'boolean':
          kind = TEXT;
          part = value ? 'true' : 'false';
          size = part.length;
          break;
        case 'undefined':
        case 'function':
        case 'symbol':
          // Left out, as JSON.stringify leaves them out.
          continue;
        default:
          if (value !== null) return -1;
          kind = TEXT;
          part = 'null';
          size = 4;
      }
      if (checked || isPlain(key)) {
        parts.add(KEY, key);
        chars += key.length + 4; // "key": and the comma or closing brace after the value
      } else {
        allPlain = false;
        const quoted = JSON.stringify(key);
        parts.add(KEY_JSON, quoted);
        chars += quoted.length + 2;
      }
      parts.add(kind, part);
      chars += size;
    }
    if (!checked && allPlain) this.remember(keys);
    // With no field, the closing brace was not counted.
    return chars === 1 ? 2 : chars;
  }

  private shapeOf(keys: readonly string[]): Shape | undefined {
    const count = keys.length;
    for (const shape of this.shapes) {
      const known = shape.keys;
      if (known.length !== count) continue;
      let i = 0;
      while (i < count && keys[i] === known[i]) i++;
      if (i === count) return shape;
    }
    return undefined;
  }

  private remember(keys: readonly string[]): void {
    const shape: Shape = { keys, values: new Array(keys.length).fill(NONE) };
    if (this.shapes.length < MAX_SHAPES) {
      this.shapes.push(shape);
    } else {
      this.shapes[this.nextShape] = shape;
      this.nextShape = (this.nextShape + 1) % MAX_SHAPES;
    }
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

/**
 * Whether `JSON.stringify` would read nothing of `entry` but its own enumerable fields: a plain object
 * with no `toJSON` that wraps no primitive.
 */
function isOrdinary(entry: Record<string, unknown>): boolean {
  return (
    Object.getPrototypeOf(entry) === Object.prototype &&
    entry.toJSON === undefined &&
    !types.isBoxedPrimitive(entry)
  );
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

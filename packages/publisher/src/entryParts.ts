/**
 * What each part of a loose entry is, which says how its bytes are written. `WHOLE` is one entry's
 * JSON from `JSON.stringify`; the others are the fields of an entry serialised part by part.
 */
export const WHOLE = 0;
/** A key that needs no escaping: written as `"key":`, after a comma unless it is the first. */
export const KEY = 1;
/** A key as JSON text (`"a\nb"`), for keys that need escaping: written as it is, then `:`. */
export const KEY_JSON = 2;
/** A string value that needs no escaping: written between quotes. */
export const STR = 3;
/** An integer of 32 bits: written as its decimal digits. */
export const INT = 4;
/** Any other value as JSON text (`true`, `null`, `1.5`, `"a\nb"`): written as it is. */
export const TEXT = 5;

/** Strings up to this length are checked and written character by character; longer ones natively. */
const SHORT = 32;
const INITIAL = 1024;
/** Parts the arrays may keep room for once emptied; past it they start over small. */
const MAX_KEPT = 65536;
// Anything JSON.stringify would escape: controls, `"`, `\`, and every surrogate (a lone one is escaped;
// a pair is left to JSON.stringify rather than encoded here).
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** Whether `JSON.stringify(text)` is `"` + `text` + `"`. */
export function isPlain(text: string): boolean {
  const length = text.length;
  if (length > SHORT) return !NEEDS_ESCAPE.test(text);
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** Characters of the decimal digits of an integer of 32 bits, its sign included. */
export function intChars(value: number): number {
  if (value < 0) return 1 + intChars(-value);
  if (value < 10) return 1;
  if (value < 100) return 2;
  if (value < 1000) return 3;
  if (value < 10000) return 4;
  if (value < 100000) return 5;
  if (value < 1000000) return 6;
  if (value < 10000000) return 7;
  if (value < 100000000) return 8;
  if (value < 1000000000) return 9;
  return 10;
}

/**
 * The parts of the entries not yet packed, end to end, with the kind of each: the oldest entry's first
 * part at {@link head}, the newest committed entry's last just before {@link tail}. Parts past `tail`
 * belong to an entry being serialised, or to one that was not queued after all.
 */
export class EntryParts {
  values: (string | number | undefined)[] = new Array(INITIAL).fill(undefined);
  kinds = new Uint8Array(INITIAL);
  head = 0;
  tail = 0;
  end = 0;

  add(kind: number, value: string | number): void {
    const at = this.end;
    if (at === this.kinds.length) this.grow();
    this.values[this.end] = value;
    this.kinds[this.end] = kind;
    this.end++;
  }

  /** Drops the parts past {@link tail}: a new entry starts there. */
  rewind(): void {
    this.end = this.tail;
  }

  commit(): void {
    this.tail = this.end;
  }

  /** Forgets every part, letting go of the strings they hold. */
  reset(): void {
    this.values.fill(undefined, 0, this.end);
    this.head = this.tail = this.end = 0;
    // A burst may have grown the arrays far past what ordinary traffic needs.
    if (this.kinds.length > MAX_KEPT) {
      this.values = new Array(INITIAL).fill(undefined);
      this.kinds = new Uint8Array(INITIAL);
    }
  }

  /**
   * Makes room at the end: moves the live parts to the start when the dead ones before them fill half
   * the arrays (a queue that drops its oldest loose entries, fed by a caller that never yields), else
   * doubles the arrays.
   */
  private grow(): void {
    const { head, end } = this;
    if (head >= end - head) {
      this.values.copyWithin(0, head, end);
      this.values.fill(undefined, end - head, end);
      this.kinds.copyWithin(0, head, end);
      this.head = 0;
      this.tail -= head;
      this.end -= head;
      return;
    }
    const size = this.kinds.length * 2;
    const values: (string | number | undefined)[] = new Array(size).fill(undefined);
    for (let i = head; i < end; i++) values[i] = this.values[i]!;
    const kinds = new Uint8Array(size);
    kinds.set(this.kinds);
    this.values = values;
    this.kinds = kinds;
  }
}

/**
 * Writes the fields held by parts `from` to `to` into `out` at `at` (no braces: the caller writes
 * them); returns the offset past them. `out` must have room for three bytes per character.
 */
export function writeFields(parts: EntryParts, from: number, to: number, out: Buffer, at: number): number {
  const { values, kinds } = parts;
  let first = true;
  for (let p = from; p < to; p++) {
    const value = values[p]!;
    switch (kinds[p]) {
      case KEY:
        if (!first) out[at++] = 44; // ,
        first = false;
        out[at++] = 34; // "
        at = writeShort(value as string, out, at);
        out[at++] = 34;
        out[at++] = 58; // :
        break;
      case KEY_JSON:
        if (!first) out[at++] = 44;
        first = false;
        at += out.write(value as string, at);
        out[at++] = 58;
        break;
      case STR: {
        const text = value as string;
        out[at++] = 34;
        at = text.length > SHORT ? at + out.write(text, at) : writeShort(text, out, at);
        out[at++] = 34;
        break;
      }
      case INT:
        at = writeInt(value as number, out, at);
        break;
      default:
        at += out.write(value as string, at);
    }
  }
  return at;
}

/** UTF-8 of a short string free of surrogates: a native write costs more than the loop for so few. */
function writeShort(text: string, out: Buffer, at: number): number {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      out[at++] = c;
    } else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at;
}

function writeInt(value: number, out: Buffer, at: number): number {
  let rest = value;
  if (rest < 0) {
    out[at++] = 45; // -
    rest = -rest;
  }
  const end = at + intChars(rest);
  for (let p = end - 1; p >= at; p--) {
    out[p] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return end;
}

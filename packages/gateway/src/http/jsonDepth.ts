/**
 * Whether JSON text nests arrays and objects deeper than `max`, found with one pass over its characters
 * (brackets inside strings do not count). `JSON.parse` takes far longer to refuse a megabyte of `[` than
 * this takes to count it, and no entry may nest deeper than the protocol allows anyway. With `perLine`
 * (NDJSON) every line counts on its own: a line break cannot occur inside a valid JSON value's string.
 */
export function jsonDepthExceeds(text: string, max: number, perLine = false): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (perLine && c === 0x0a /* \n */) {
      depth = 0;
      inString = false;
    } else if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

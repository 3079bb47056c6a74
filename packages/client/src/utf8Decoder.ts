/**
 * Decodes the UTF-8 chunks of one response body to text, as a `TextDecoder` given `stream: true` would:
 * a character cut by a chunk's end waits for the next chunk, a byte order mark that starts the body is
 * dropped, and bytes that are not UTF-8 become U+FFFD.
 *
 * Without `stream: true` itself: in Node that option turns the decoder's fast path off for good, and
 * the slow one cost as much as reading the events out of the text. The bytes of a cut character (three
 * at most) are held back instead, so that each call decodes whole characters. The text is the same: a
 * cut falls before a byte that starts a character, where the decoder has no half-read one pending.
 */
export function createUtf8Decoder(): (chunk: Uint8Array) => string {
  // The byte order mark is dropped here, once, where the decoder would drop it at every call.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let held: Uint8Array | undefined;
  let started = false;
  return (chunk) => {
    if (held) {
      const joined = new Uint8Array(held.length + chunk.length);
      joined.set(held);
      joined.set(chunk, held.length);
      chunk = joined;
    }
    const end = chunk.length;
    // Continuation bytes (0b10xxxxxx) are skipped back to the byte that starts the last character: from
    // 0xc0 it announces two bytes, from 0xe0 three, from 0xf0 four. Fewer than that, and it is cut.
    let k = 1;
    while (k < 4 && (chunk[end - k]! & 0xc0) === 0x80) k++;
    const cut = chunk[end - k]! >= 256 - (128 >> k) ? end - k : end;
    // A copy of those few bytes, not a view that would keep the whole chunk alive.
    held = cut < end ? chunk.slice(cut) : undefined;
    const text = decoder.decode(chunk.subarray(0, cut));
    if (started || !text) return text;
    started = true;
    return text.replace(/^\ufeff/, '');
  };
}

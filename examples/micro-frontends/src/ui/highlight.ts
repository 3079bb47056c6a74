/** A piece of a message: plain text, or a match of the search to highlight. */
export interface TextPart {
  text: string;
  match: boolean;
}

/**
 * Splits `text` around every case-insensitive occurrence of `search`. The parts are rendered as text
 * nodes and `<mark>` elements, never as HTML, so a message holding markup shows the markup.
 */
export function splitHighlight(text: string, search: string): TextPart[] {
  if (search === '') return [{ text, match: false }];
  const haystack = text.toLowerCase();
  const needle = search.toLowerCase();
  const parts: TextPart[] = [];
  let from = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, from)) {
    if (at > from) parts.push({ text: text.slice(from, at), match: false });
    parts.push({ text: text.slice(at, at + needle.length), match: true });
    from = at + needle.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), match: false });
  return parts;
}

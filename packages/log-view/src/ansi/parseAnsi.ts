/**
 * A colour from an SGR sequence: a palette index (0 to 255; 0 to 15 are the theme's 16 colours) or a
 * 24-bit colour as `#rrggbb`.
 */
export type AnsiColor = number | `#${string}`;

/** The look of a run of text; absent fields are the terminal's defaults. */
export interface AnsiStyle {
  fg?: AnsiColor;
  bg?: AnsiColor;
  bold?: true;
  dim?: true;
  italic?: true;
  underline?: true;
  inverse?: true;
  strike?: true;
}

/** A run of text in one style; `style` is `undefined` for plain text. */
export interface AnsiSegment {
  text: string;
  style: AnsiStyle | undefined;
}

const ESC = 0x1b;
const CSI_C1 = 0x9b;
const OSC_C1 = 0x9d;
const BEL = 0x07;

/** Whether `text` holds anything `parseAnsi` would act on; most log lines do not. */
export function hasAnsi(text: string): boolean {
  return text.indexOf('\x1b') !== -1 || text.indexOf('\x9b') !== -1 || text.indexOf('\x9d') !== -1;
}

/**
 * Splits a message into styled runs. SGR sequences (`ESC [ ... m`) set the style of what follows; every
 * other escape or control sequence (cursor moves, OSC titles and links) is dropped, so no escape code
 * ever reaches the page. A sequence cut off at the end of the text is dropped too.
 *
 * @example parseAnsi('\x1b[31merror\x1b[0m: disk') // [{ text: 'error', style: { fg: 1 } }, { text: ': disk', style: undefined }]
 */
export function parseAnsi(text: string): AnsiSegment[] {
  if (!hasAnsi(text)) return text === '' ? [] : [{ text, style: undefined }];
  const segments: AnsiSegment[] = [];
  let style: AnsiStyle | undefined;
  let runStart = 0;
  let i = 0;
  const push = (end: number) => {
    if (end <= runStart) return;
    const piece = text.slice(runStart, end);
    const last = segments.at(-1);
    // Adjacent runs whose style did not change (a reset between two plain runs) are joined.
    if (last !== undefined && last.style === style) last.text += piece;
    else segments.push({ text: piece, style });
  };
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code !== ESC && code !== CSI_C1 && code !== OSC_C1) {
      i++;
      continue;
    }
    push(i);
    const next = code === ESC ? text.charCodeAt(i + 1) : Number.NaN;
    if (code === CSI_C1 || next === 0x5b /* [ */) {
      const paramsStart = code === CSI_C1 ? i + 1 : i + 2;
      let end = paramsStart;
      // Parameters and intermediates are 0x20 to 0x3f; the final byte is 0x40 to 0x7e.
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (c < 0x20 || c > 0x3f) break;
        end++;
      }
      const final = text.charCodeAt(end);
      if (end >= text.length || final < 0x40 || final > 0x7e) {
        // Unterminated or malformed: drop the introducer and what was read as parameters.
        i = Math.min(end, text.length);
      } else {
        if (final === 0x6d /* m */) style = applySgr(style, text.slice(paramsStart, end));
        i = end + 1;
      }
    } else if (code === OSC_C1 || next === 0x5d /* ] */) {
      // OSC runs to BEL or ST (ESC \); its payload (a title, a link target) is never shown.
      let end = code === OSC_C1 ? i + 1 : i + 2;
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (c === BEL) {
          end++;
          break;
        }
        if (c === ESC && text.charCodeAt(end + 1) === 0x5c) {
          end += 2;
          break;
        }
        end++;
      }
      i = end;
    } else {
      // Any other escape: ESC and the one character that follows it.
      i = Math.min(text.length, i + 2);
    }
    runStart = i;
  }
  push(text.length);
  return segments;
}

/** The text without any escape sequence: what a reader sees, what search and downloads use. */
export function stripAnsi(text: string): string {
  if (!hasAnsi(text)) return text;
  let out = '';
  for (const segment of parseAnsi(text)) out += segment.text;
  return out;
}

/** The style after one SGR sequence's parameters (`1;31`, `38;5;208`, `38:2::255:128:0`). */
function applySgr(current: AnsiStyle | undefined, params: string): AnsiStyle | undefined {
  // Private sequences (`ESC [ ? ... m`) and anything but digits and separators are not SGR.
  if (!/^[\d;:]*$/.test(params)) return current;
  const codes = params === '' ? ['0'] : params.split(';');
  let next: AnsiStyle = current === undefined ? {} : { ...current };
  for (let k = 0; k < codes.length; k++) {
    const part = codes[k]!;
    if (part.includes(':')) {
      // Colon sub-parameters: `38:5:n`, `38:2::r:g:b` (or `38:2:r:g:b`), `4:0` to `4:5`.
      const sub = part.split(':').map((s) => (s === '' ? 0 : Number(s)));
      const head = sub[0];
      if (head === 38 || head === 48) {
        const color = extendedColor(sub.slice(1), true);
        if (color !== undefined) next[head === 38 ? 'fg' : 'bg'] = color;
      } else if (head === 4) {
        if (sub[1] === 0) delete next.underline;
        else next.underline = true;
      }
      continue;
    }
    const n = part === '' ? 0 : Number(part);
    if (n === 38 || n === 48) {
      const rest = codes.slice(k + 1).map(Number);
      const color = extendedColor(rest, false);
      k += rest[0] === 5 ? 2 : rest[0] === 2 ? 4 : 0;
      if (color !== undefined) next[n === 38 ? 'fg' : 'bg'] = color;
      continue;
    }
    next = applyCode(next, n);
  }
  return isEmpty(next) ? undefined : next;
}

function applyCode(style: AnsiStyle, n: number): AnsiStyle {
  if (n === 0) return {};
  if (n >= 30 && n <= 37) style.fg = n - 30;
  else if (n >= 40 && n <= 47) style.bg = n - 40;
  else if (n >= 90 && n <= 97) style.fg = n - 82;
  else if (n >= 100 && n <= 107) style.bg = n - 92;
  else if (n === 39) delete style.fg;
  else if (n === 49) delete style.bg;
  else if (n === 1) style.bold = true;
  else if (n === 2) style.dim = true;
  else if (n === 3) style.italic = true;
  else if (n === 4 || n === 21) style.underline = true;
  else if (n === 7) style.inverse = true;
  else if (n === 9) style.strike = true;
  else if (n === 22) {
    delete style.bold;
    delete style.dim;
  } else if (n === 23) delete style.italic;
  else if (n === 24) delete style.underline;
  else if (n === 27) delete style.inverse;
  else if (n === 29) delete style.strike;
  return style;
}

/** `5;n` or `2;r;g;b` (with colons, `2` may be followed by an empty colour-space id). */
function extendedColor(args: number[], colon: boolean): AnsiColor | undefined {
  if (args[0] === 5) {
    const n = args[1];
    return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined;
  }
  if (args[0] === 2) {
    const rgb = colon && args.length >= 5 ? args.slice(2, 5) : args.slice(1, 4);
    if (rgb.length < 3 || !rgb.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) return undefined;
    return `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  }
  return undefined;
}

function isEmpty(style: AnsiStyle): boolean {
  for (const _ in style) return false;
  return true;
}

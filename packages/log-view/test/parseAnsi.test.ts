import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ansiCss, cssColor } from '../src/ansi/ansiCss';
import { type AnsiStyle, parseAnsi, stripAnsi } from '../src/ansi/parseAnsi';

describe('parseAnsi', () => {
  it('returns plain text as one unstyled run', () => {
    expect(parseAnsi('no escapes here')).toEqual([{ text: 'no escapes here', style: undefined }]);
    expect(parseAnsi('')).toEqual([]);
  });

  it('reads the 16 colours, their bright forms and backgrounds, and resets', () => {
    expect(parseAnsi('\x1b[31merror\x1b[0m: disk \x1b[1;92;44mok\x1b[39m!')).toEqual([
      { text: 'error', style: { fg: 1 } },
      { text: ': disk ', style: undefined },
      { text: 'ok', style: { bold: true, fg: 10, bg: 4 } },
      { text: '!', style: { bold: true, bg: 4 } },
    ]);
  });

  it('reads 256-colour and truecolor, with semicolons and with colons', () => {
    expect(parseAnsi('\x1b[38;5;208ma\x1b[48;2;1;2;3mb')).toEqual([
      { text: 'a', style: { fg: 208 } },
      { text: 'b', style: { fg: 208, bg: '#010203' } },
    ]);
    expect(parseAnsi('\x1b[38:2::255:128:0mc\x1b[38:5:12md')).toEqual([
      { text: 'c', style: { fg: '#ff8000' } },
      { text: 'd', style: { fg: 12 } },
    ]);
  });

  it('turns styles on and off one by one', () => {
    const runs = parseAnsi('\x1b[1;3;4;9mall\x1b[22;23mu+s\x1b[24;29mnone');
    expect(runs.map((run) => run.style)).toEqual([
      { bold: true, italic: true, underline: true, strike: true },
      { underline: true, strike: true },
      undefined,
    ]);
  });

  it('drops every other sequence: cursor moves, OSC titles and links, lone escapes, cut-off sequences', () => {
    const text =
      '\x1b[2K\x1b[1Gstep\x1b]0;title\x07 \x1b]8;;https://x.test\x1b\\link\x1b]8;;\x1b\\ \x1bMend\x1b[3';
    expect(stripAnsi(text)).toBe('step link end');
    expect(parseAnsi('\x1b[?25lhidden cursor\x1b[?25h')).toEqual([
      { text: 'hidden cursor', style: undefined },
    ]);
  });

  it('never lets an escape character through, whatever the input (property)', () => {
    const pieces = fc.oneof(
      fc.string(),
      fc.constantFrom('\x1b', '\x1b[', '\x9b', '\x9d', '\x07', '\x1b\\', ';', ':', 'm', '38', '5', '2', '['),
      fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 6 }).map((codes) => `\x1b[${codes.join(';')}m`),
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 20 }), (parts) => {
        const input = parts.join('');
        const runs = parseAnsi(input);
        const joined = runs.map((run) => run.text).join('');
        expect(joined).toBe(stripAnsi(input));
        expect(joined).not.toMatch(/[\x1b\x9b\x9d]/);
        for (const run of runs) expect(run.text).not.toBe('');
      }),
    );
  });

  it('gives back the text and styles that were encoded (property)', () => {
    const color = fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc
        .tuple(fc.nat(255), fc.nat(255), fc.nat(255))
        .map(([r, g, b]) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}` as const),
    );
    const style = fc.record(
      { fg: color, bg: color, bold: fc.constant(true as const), underline: fc.constant(true as const) },
      { requiredKeys: [] },
    );
    const run = fc.record({
      text: fc.string({ minLength: 1 }).filter((t) => !/[\x1b\x9b\x9d]/.test(t)),
      style,
    });
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 8 }), (runs) => {
        const encoded = runs.map((r) => `\x1b[0${encodeStyle(r.style)}m${r.text}`).join('');
        const parsed = parseAnsi(encoded);
        // Each encoded run comes back whole, unless two neighbours are both plain and join.
        expect(parsed.map((p) => p.text).join('')).toBe(runs.map((r) => r.text).join(''));
        let at = 0;
        for (const p of parsed) {
          const source = runs.find((_, i) => offset(runs, i) <= at && at < offset(runs, i + 1))!;
          expect(p.style ?? {}).toEqual(source.style);
          at += p.text.length;
        }
      }),
    );
  });
});

function offset(runs: Array<{ text: string }>, index: number): number {
  return runs.slice(0, index).reduce((sum, r) => sum + r.text.length, 0);
}

function encodeStyle(style: AnsiStyle): string {
  const codes: string[] = [];
  const color = (base: number, c: AnsiStyle['fg']) => {
    if (c === undefined) return;
    if (typeof c === 'string') {
      const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16));
      codes.push(`${base};2;${r};${g};${b}`);
    } else codes.push(`${base};5;${c}`);
  };
  color(38, style.fg);
  color(48, style.bg);
  if (style.bold) codes.push('1');
  if (style.underline) codes.push('4');
  return codes.map((c) => `;${c}`).join('');
}

describe('ansiCss', () => {
  it('uses the theme for the 16 colours and fixed values for the rest', () => {
    expect(cssColor(1)).toBe('var(--lv-ansi-1)');
    expect(cssColor(196)).toBe('rgb(255,0,0)');
    expect(cssColor(232)).toBe('rgb(8,8,8)');
    expect(cssColor('#123456')).toBe('#123456');
  });

  it('swaps colours for inverse and joins decorations', () => {
    expect(ansiCss({ fg: 2, inverse: true, underline: true, strike: true })).toEqual({
      color: 'var(--lv-bg)',
      backgroundColor: 'var(--lv-ansi-2)',
      textDecoration: 'underline line-through',
    });
  });
});

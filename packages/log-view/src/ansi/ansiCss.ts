import type { CSSProperties } from 'react';
import type { AnsiColor, AnsiStyle } from './parseAnsi';

/** The six levels of each channel in the 256-colour cube (xterm's values). */
const CUBE = [0, 95, 135, 175, 215, 255];

/**
 * A CSS colour for an SGR colour. The 16 base colours are the theme's custom properties
 * (`--lv-ansi-0` to `--lv-ansi-15`), so a theme recolours them; the rest are fixed.
 */
export function cssColor(color: AnsiColor): string {
  if (typeof color === 'string') return color;
  if (color < 16) return `var(--lv-ansi-${color})`;
  if (color < 232) {
    const n = color - 16;
    return `rgb(${CUBE[Math.floor(n / 36)]},${CUBE[Math.floor(n / 6) % 6]},${CUBE[n % 6]})`;
  }
  const grey = 8 + (color - 232) * 10;
  return `rgb(${grey},${grey},${grey})`;
}

/** Inline style for a run; inline because 256 and 24-bit colours cannot be listed in a stylesheet. */
export function ansiCss(style: AnsiStyle): CSSProperties {
  const css: CSSProperties = {};
  let fg = style.fg === undefined ? undefined : cssColor(style.fg);
  let bg = style.bg === undefined ? undefined : cssColor(style.bg);
  if (style.inverse) {
    [fg, bg] = [bg ?? 'var(--lv-bg)', fg ?? 'var(--lv-fg)'];
  }
  if (fg !== undefined) css.color = fg;
  if (bg !== undefined) css.backgroundColor = bg;
  if (style.bold) css.fontWeight = 'bold';
  if (style.dim) css.opacity = 0.7;
  if (style.italic) css.fontStyle = 'italic';
  if (style.underline || style.strike) {
    css.textDecoration = [style.underline && 'underline', style.strike && 'line-through']
      .filter(Boolean)
      .join(' ');
  }
  return css;
}

import { GatewayError } from '../errors';
import { nearest } from './nearest';
import type { Shape } from './optionShapes';

/**
 * Refuses the first key that `shape` does not list, at any depth, with a message that names the key,
 * where it was found (`source` and the level) and what was probably meant: the level where that key
 * belongs, `hints[key]` for a top-level key of the other kind of options, or the nearest valid key.
 * A misspelt key is otherwise silently ignored, and its option silently left at its default.
 */
export function checkKeys(
  value: Record<string, unknown>,
  shape: Shape,
  source: string,
  hints: Readonly<Record<string, string>> = {},
): void {
  const places = new Map<string, string[]>();
  indexPlaces(shape, '', places);
  walk(value, shape, '', '', { source, hints, places });
}

interface Walk {
  source: string;
  hints: Readonly<Record<string, string>>;
  /** Every key of the shape, with the levels (`''`, `auth`, `auth.publishers[]`) where it is valid. */
  places: Map<string, string[]>;
}

function walk(value: Record<string, unknown>, shape: Shape, level: string, shown: string, w: Walk): void {
  for (const key of Object.keys(value)) {
    // `hasOwn`: a key such as "constructor" must not be found on the prototype of the shape.
    if (!Object.hasOwn(shape, key)) {
      const where = shown === '' ? 'top level' : `in "${shown}"`;
      throw new GatewayError(
        'invalid_options',
        `unknown option "${key}" in ${w.source} (${where}); ${advice(key, shape, level, w)}`,
      );
    }
    const inner = shape[key];
    const child = value[key];
    const path = join(level, key);
    const shownPath = join(shown, key);
    if (Array.isArray(inner) && Array.isArray(child)) {
      child.forEach((item, i) => {
        if (isPlainObject(item)) walk(item, inner[0]!, `${path}[]`, `${shownPath}[${i}]`, w);
      });
    } else if (inner !== null && !Array.isArray(inner) && isPlainObject(child)) {
      walk(child, inner as Shape, path, shownPath, w);
    }
  }
}

function advice(key: string, shape: Shape, level: string, w: Walk): string {
  const elsewhere = (w.places.get(key) ?? []).filter((place) => place !== level);
  if (elsewhere.length > 0) {
    return `it belongs ${elsewhere.map((p) => (p === '' ? 'at the top level' : `under "${p}"`)).join(' or ')}`;
  }
  const hint = level === '' ? w.hints[key] : undefined;
  if (hint !== undefined) return hint;
  const here = Object.keys(shape);
  const near = nearest(key, here);
  if (near !== undefined) return `did you mean "${near}"?`;
  const paths = [...w.places].flatMap(([name, levels]) => levels.map((p) => join(p, name)));
  const farther = nearest(
    key,
    paths.map((p) => p.slice(p.lastIndexOf('.') + 1)),
  );
  if (farther !== undefined) {
    const path = paths.find((p) => p === farther || p.endsWith(`.${farther}`))!;
    return `did you mean "${path}"?`;
  }
  return `expected one of ${here.map((k) => `"${k}"`).join(', ')}`;
}

function indexPlaces(shape: Shape, level: string, places: Map<string, string[]>): void {
  for (const [key, inner] of Object.entries(shape)) {
    const list = places.get(key) ?? [];
    if (!list.includes(level)) list.push(level);
    places.set(key, list);
    if (Array.isArray(inner)) indexPlaces(inner[0]!, `${join(level, key)}[]`, places);
    else if (inner !== null) indexPlaces(inner as Shape, join(level, key), places);
  }
}

function join(level: string, key: string): string {
  return level === '' ? key : `${level}.${key}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Prefix shared by every channel name. */
export const CHANNEL_PREFIX = 'logs';

/** One channel segment: letters, digits, `_`, `.` and `-`, 1 to 128 characters. */
const SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;

/** The three named parts of a channel `logs:{service}:{workspace}:{resource}`. */
export interface ChannelParts {
  service: string;
  workspace: string;
  resource: string;
}

export function isValidSegment(value: unknown): value is string {
  return typeof value === 'string' && SEGMENT.test(value);
}

/**
 * Builds a channel name from its parts, or returns `undefined` when a part is not a valid segment.
 *
 * @example formatChannel({ service: 'etl', workspace: 'ws-1', resource: 'run-42' }) // 'logs:etl:ws-1:run-42'
 */
export function formatChannel(parts: ChannelParts): string | undefined {
  const { service, workspace, resource } = parts;
  if (!isValidSegment(service) || !isValidSegment(workspace) || !isValidSegment(resource)) return undefined;
  return `${CHANNEL_PREFIX}:${service}:${workspace}:${resource}`;
}

/** Splits a concrete channel name into its parts; `undefined` when it is not one. */
export function parseChannel(name: unknown): ChannelParts | undefined {
  const parts = splitChannel(name, false);
  return parts && { service: parts[0], workspace: parts[1], resource: parts[2] };
}

export function isValidChannel(name: unknown): name is string {
  return splitChannel(name, false) !== undefined;
}

/** A subscription pattern: a channel name in which any of the three segments may be `*`. */
export function isValidChannelPattern(pattern: unknown): pattern is string {
  return splitChannel(pattern, true) !== undefined;
}

export function isChannelPattern(pattern: string): boolean {
  return pattern.includes('*');
}

/**
 * Whether `channel` falls under `pattern`, where a `*` segment matches any one segment.
 * Both arguments are expected to be valid; an invalid one matches nothing.
 */
export function matchChannel(pattern: string, channel: string): boolean {
  if (pattern === channel) return true;
  const p = splitChannel(pattern, true);
  const c = splitChannel(channel, false);
  if (!p || !c) return false;
  return segmentMatches(p[0], c[0]) && segmentMatches(p[1], c[1]) && segmentMatches(p[2], c[2]);
}

function segmentMatches(pattern: string, segment: string): boolean {
  return pattern === '*' || pattern === segment;
}

function splitChannel(name: unknown, allowWildcard: boolean): [string, string, string] | undefined {
  if (typeof name !== 'string' || name.length > 400) return undefined;
  const parts = name.split(':');
  if (parts.length !== 4 || parts[0] !== CHANNEL_PREFIX) return undefined;
  const segments = [parts[1]!, parts[2]!, parts[3]!] as [string, string, string];
  for (const segment of segments) {
    if (!(SEGMENT.test(segment) || (allowWildcard && segment === '*'))) return undefined;
  }
  return segments;
}

/** Prefix shared by every channel name. */
export const CHANNEL_PREFIX = 'logs';

// Literals rather than `new RegExp` calls: a bundler drops an unused literal (the client never checks
// a lone segment) but must keep every call. `logs` is CHANNEL_PREFIX.
/** One channel segment: letters, digits, `_`, `.` and `-`, 1 to 128 characters. */
const SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;
const CHANNEL = /^logs(?::[A-Za-z0-9_.-]{1,128}){3}$/;
/** A channel in which any segment may be `*`. */
const PATTERN = /^logs(?::(?:[A-Za-z0-9_.-]{1,128}|\*)){3}$/;

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
  if (!isValidChannel(name)) return undefined;
  const [, service, workspace, resource] = name.split(':') as [string, string, string, string];
  return { service, workspace, resource };
}

export function isValidChannel(name: unknown): name is string {
  return typeof name === 'string' && CHANNEL.test(name);
}

/** A subscription pattern: a channel name in which any of the three segments may be `*`. */
export function isValidChannelPattern(pattern: unknown): pattern is string {
  return typeof pattern === 'string' && PATTERN.test(pattern);
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
  if (!isValidChannelPattern(pattern) || !isValidChannel(channel)) return false;
  const segments = channel.split(':');
  return pattern.split(':').every((segment, i) => segment === '*' || segment === segments[i]);
}

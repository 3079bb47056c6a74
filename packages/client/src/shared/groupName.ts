/**
 * The name under which tabs with the same gateway and the same credentials meet: a SHA-256 of both, so
 * that neither the token nor the key is readable in the lock and channel names other scripts of the
 * origin can list, and two users (or two tokens) of one browser never share a stream.
 */
export async function groupName(parts: readonly unknown[]): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(parts)));
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
  return `logs-sse:${hex}`;
}

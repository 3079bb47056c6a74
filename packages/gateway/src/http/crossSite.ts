import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isAllowedOrigin } from './cors';
import { hostOfHeader, isLoopback } from './loopback';

/**
 * Content types a browser POSTs from any page without asking the server first (the CORS-safelisted ones
 * of the Fetch standard). A missing type is as simple: `fetch(url, {method: 'POST'})` sends none.
 */
const SIMPLE_CONTENT_TYPES = new Set([
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
]);

/**
 * Why an open gateway (no auth) refuses this request, or `undefined` to let it through. Without tokens,
 * what keeps the web pages a developer opens from reading and publishing logs on their machine is:
 * - `Host` must be a loopback name or address: a page on a name the attacker rebinds to 127.0.0.1 (DNS
 *   rebinding) is same-origin with that name, so no browser rule stops it, but its `Host` gives it away;
 * - `Origin`, which browsers send on every cross-origin `fetch`, `EventSource` and on every POST, must be in
 *   `corsOrigins` or be the gateway's own origin;
 * - without `Origin`, `Sec-Fetch-Site` must not say that another site asked (an `<img>`, `<script>` or a
 *   link to a GET endpoint);
 * - a POST must carry a content type that no page can send without a CORS preflight, which a page of
 *   another origin fails (JSON, NDJSON, OTLP's `application/x-protobuf`: anything but the safelisted
 *   ones); this also covers browsers that send neither `Origin` nor `Sec-Fetch-Site`.
 * Clients that are not browsers (curl, services) send no `Origin` and are let through.
 */
export function crossSiteRefusal(req: IncomingMessage, corsOrigins: readonly string[]): string | undefined {
  const open = 'this gateway runs open (no auth)';
  const host = req.headers.host;
  if (host !== undefined) {
    const name = hostOfHeader(host);
    if (name === undefined || !isLoopback(name)) {
      return (
        `${open} and answers only requests addressed to localhost, 127.0.0.1 or [::1], not to Host ${quote(host)}: ` +
        'a web page could otherwise reach it by DNS rebinding. Use a loopback address, or configure auth.'
      );
    }
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (!isAllowedOrigin(origin, corsOrigins) && !isOwnOrigin(req, origin)) {
      return (
        `${open} and origin ${quote(origin)} is not in corsOrigins, so its pages may not call it. ` +
        'Add the origin to corsOrigins (LOGS_SSE_CORS_ORIGINS), or configure auth.'
      );
    }
  } else {
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') {
      return (
        `${open} and a page of another site sent this request (Sec-Fetch-Site: ${site}) as an image, ` +
        'script or link would. Call it with fetch or EventSource from an origin in corsOrigins, open the URL ' +
        'directly, or configure auth.'
      );
    }
  }
  if (req.method === 'POST') {
    const media = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (media === '' || SIMPLE_CONTENT_TYPES.has(media)) {
      return (
        `${open}, so a POST must have content-type application/json, application/x-ndjson or application/x-protobuf, which no web ` +
        `page can send it without a CORS preflight; got ${media === '' ? 'none' : quote(media)}. ` +
        'Set the content type, or configure auth.'
      );
    }
  }
  return undefined;
}

/** Whether `origin` is the gateway's own, as a browser writes it for a page served under this `Host`. */
function isOwnOrigin(req: IncomingMessage, origin: string): boolean {
  const host = req.headers.host;
  if (host === undefined) return false;
  const scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  return origin.toLowerCase() === `${scheme}://${host.toLowerCase()}`;
}

function quote(value: string): string {
  return JSON.stringify(value.slice(0, 200));
}

import type { LogsClientOptions } from '../options';

/** How tabs find each other. */
export interface ShareOptions {
  /**
   * Stands for the credentials when `token` is a function (which cannot be compared across tabs): the
   * user's id, say. Tabs share a stream only when their gateway URL, token (or this key) and headers
   * are the same. Defaults to none: with a token function and no key, each tab keeps its own stream.
   */
  key?: string;
}

export interface SharedLogsClientOptions extends LogsClientOptions {
  /**
   * Whether tabs of this origin share one stream. `true` (or `{ key }`) shares where the browser has Web
   * Locks, BroadcastChannel and Web Crypto; `false` keeps one stream per tab. Defaults to `true`.
   */
  share?: boolean | ShareOptions;
}

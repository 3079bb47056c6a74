/** Where the app reads logs from; `VITE_LOGS_GATEWAY_URL` at build time changes it. */
export const GATEWAY_URL: string = import.meta.env.VITE_LOGS_GATEWAY_URL || 'http://127.0.0.1:3002';

/** The workspace whose resources the panels show, as the sample services publish them. */
export const WORKSPACE: string = import.meta.env.VITE_LOGS_WORKSPACE || 'demo';

/** The resources the sample services work on (their defaults in examples/node-service and python-service). */
export const RESOURCES = {
  etl: 'nightly-import',
  workflow: 'wf-llm-serving',
  functions: 'thumbnailer',
  validator: 'orders-schema',
  checkout: 'api',
} as const;

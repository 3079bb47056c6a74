/** A pino-compatible logger: the gateway and its stores only call these four methods. */
export interface GatewayLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The logger used when logging is turned off. */
export const SILENT_LOGGER: GatewayLogger = { debug() {}, info() {}, warn() {}, error() {} };

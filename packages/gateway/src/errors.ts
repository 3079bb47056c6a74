/** Why the gateway refused to be built or started. */
export type GatewayErrorCode = 'invalid_options' | 'open_on_public_host' | 'already_listening' | 'closed';

/** Thrown on misuse only: a bad option, or starting an unauthenticated gateway on a public address. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A `GatewayError` for a bad option. */
export function invalidOptions(message: string): GatewayError {
  return new GatewayError('invalid_options', message);
}

/** A value as an error message shows it: strings quoted and cut short, objects by kind only. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

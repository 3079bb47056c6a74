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

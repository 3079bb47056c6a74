import { createGateway, type Gateway, type GatewayOptions, type ListenOptions } from '@logs-sse/gateway';

export interface RunningGateway {
  gateway: Gateway;
  /** Such as `http://127.0.0.1:41234`. */
  url: string;
  port: number;
}

/**
 * The real gateway on a loopback port, silent unless `options.logger` says otherwise. `listen.port`
 * defaults to `0`, a free port; pass a port to restart a gateway where a client expects it.
 *
 * @example
 * const { gateway, url } = await startGateway({ heartbeatSeconds: 1 });
 * // ... publish to and stream from `url`
 * await gateway.close();
 */
export async function startGateway(
  options: GatewayOptions = {},
  listen: ListenOptions = {},
): Promise<RunningGateway> {
  const gateway = createGateway({ logger: false, ...options });
  const bound = await gateway.listen({ port: 0, host: '127.0.0.1', ...listen });
  return { gateway, url: bound.url, port: bound.port };
}

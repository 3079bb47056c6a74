/**
 * A gateway on a Redis store in a process of its own, for tests that kill it (SIGKILL) like a crashed
 * host. Usage: node --conditions=@logs-sse/source --import tsx test/redisGatewayProcess.ts <redis-url> <prefix>
 * Prints the gateway's URL on a line of its own once it listens.
 */
import { createGateway } from '../src/createGateway';
import { RedisStore } from '../src/store/redis/redisStore';

const [redisUrl, prefix] = process.argv.slice(2);
const store = new RedisStore({ url: redisUrl, prefix });
await store.ready();
const gateway = createGateway({ logger: false, store, heartbeatSeconds: 1, retryMs: 50 });
const { url } = await gateway.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${url}\n`);
process.on('SIGTERM', () => {
  void gateway
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});

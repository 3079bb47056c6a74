import { randomBytes } from 'node:crypto';
import { context, TraceFlags, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { between, pause, type ServiceRunOptions } from './pace';

export interface CheckoutOptions extends ServiceRunOptions {
  /** Gateway base URL; the exporter sends to `{url}/v1/logs`. */
  url: string;
  /** Resource id of the service's channel `logs:checkout:{workspace}:{resource}`. Defaults to `api`. */
  resource?: string;
}

/**
 * A checkout API that logs only through the OpenTelemetry SDK and its OTLP/HTTP exporter, as a Go or
 * Java service would: nothing of logs-sse in it but the gateway's URL and two attributes that name the
 * channel's workspace and resource. Each order is one trace; its records carry the trace and span ids.
 */
export async function runCheckout(options: CheckoutOptions): Promise<void> {
  const { url, workspace, runs, paceMs, signal, random = Math.random } = options;
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({
      'service.name': 'checkout',
      'service.version': '2.3.0',
      'logs_sse.workspace_id': workspace,
      'logs_sse.resource_id': options.resource ?? 'api',
    }),
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: `${url}/v1/logs` }),
        scheduledDelayMillis: 200,
      }),
    ],
  });
  const logger = provider.getLogger('checkout.orders', '2.3.0');
  try {
    for (let run = 1; run <= runs; run++) {
      const order = `ord-${10_000 + run}`;
      const spanContext = {
        traceId: randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        traceFlags: TraceFlags.SAMPLED,
      };
      const inOrder = trace.setSpanContext(context.active(), spanContext);
      const emit = (
        severityNumber: SeverityNumber,
        body: string,
        attributes: Record<string, string | number> = {},
      ) => logger.emit({ severityNumber, body, attributes: { order, ...attributes }, context: inOrder });
      const items = between(random, 1, 6);
      emit(SeverityNumber.INFO, `order ${order}: ${items} items in the cart`, { items });
      if (!(await pause(paceMs, signal))) return;
      emit(SeverityNumber.DEBUG, `order ${order}: prices from the catalogue in ${between(random, 3, 40)} ms`);
      const declined = random() < 0.2;
      if (declined) {
        emit(SeverityNumber.WARN, `order ${order}: card declined, asking for another card`, {
          'payment.code': 51,
        });
      } else {
        const total = between(random, 500, 50_000);
        emit(SeverityNumber.INFO, `order ${order}: paid ${(total / 100).toFixed(2)} EUR`, {
          'payment.cents': total,
        });
      }
      if (!(await pause(paceMs, signal))) return;
    }
  } finally {
    // Sends what the batch processor still holds.
    await provider.shutdown();
  }
}

import type { LogsPublisher } from '@logs-sse/publisher';
import { between, pause, type ServiceRunOptions } from './pace';

export interface EtlOptions extends ServiceRunOptions {
  /** Resource id of the pipeline: its channel is `logs:etl:{workspace}:{pipeline}`. Defaults to `nightly-import`. */
  pipeline?: string;
}

const SOURCES = ['orders.csv', 'customers.parquet', 's3://billing/invoices/'];

/**
 * An ETL pipeline: extract, transform, validate and load, each step reporting progress as a `status`
 * entry, a `done` at the end of every run. Resolves after `runs` runs or when `signal` aborts.
 */
export async function runEtl(publisher: LogsPublisher, options: EtlOptions): Promise<void> {
  const { workspace, runs, paceMs, signal, random = Math.random } = options;
  const pipeline = options.pipeline ?? 'nightly-import';
  const log = publisher.child({ workspace_id: workspace, resource_id: pipeline });
  const progress = (phase: string, value: number, message: string) =>
    publisher.status(pipeline, { workspace_id: workspace, phase, progress: Math.round(value), message });

  for (let run = 1; run <= runs; run++) {
    log.publish({ level: 'info', message: `run ${run} started`, run });
    progress('extract', 0, 'reading sources');
    let rows = 0;
    for (const [i, source] of SOURCES.entries()) {
      const count = between(random, 800, 5000);
      rows += count;
      log.publish({ level: 'debug', message: `connecting to ${source}`, run });
      if (!(await pause(paceMs, signal))) return;
      log.publish({ level: 'info', message: `extracted ${count} rows from ${source}`, run, rows: count });
      progress('extract', ((i + 1) / SOURCES.length) * 25, `${rows} rows read`);
    }

    const chunks = 8;
    let rejected = 0;
    for (let chunk = 1; chunk <= chunks; chunk++) {
      if (!(await pause(paceMs / 2, signal))) return;
      const bad = random() < 0.3 ? between(random, 1, 12) : 0;
      rejected += bad;
      log.publish({
        level: 'debug',
        message: `transform chunk ${chunk}/${chunks}: normalised currencies`,
        run,
      });
      if (bad > 0) {
        log.publish({
          level: 'warn',
          message: `chunk ${chunk}: ${bad} rows without customer_id, sent to quarantine`,
          run,
        });
      }
      progress('transform', 25 + (chunk / chunks) * 35, `chunk ${chunk} of ${chunks}`);
    }

    progress('validate', 65, 'checking constraints');
    if (!(await pause(paceMs, signal))) return;
    const level = rejected > 20 ? 'warn' : 'info';
    log.publish({
      level,
      message: `validation finished: ${rejected} of ${rows} rows rejected`,
      run,
      rejected,
    });

    const batches = 5;
    for (let batch = 1; batch <= batches; batch++) {
      if (!(await pause(paceMs, signal))) return;
      log.publish({ level: 'info', message: `loaded batch ${batch}/${batches} into warehouse.orders`, run });
      progress('load', 65 + (batch / batches) * 35, `batch ${batch} of ${batches}`);
    }
    log.publish({ level: 'info', message: `run ${run} finished: ${rows - rejected} rows loaded`, run });
    publisher.done(pipeline, { workspace_id: workspace, run });
    if (!(await pause(paceMs * 4, signal))) return;
  }
}

import { API_PATHS } from '@logs-sse/protocol';
import type { HttpClient } from './httpClient';
import type { PublisherTimers } from './options';
import type { PublisherStats } from './stats';

/** Posts the publisher's stats to the gateway every `intervalMs`, one request at a time. */
export class Heartbeat {
  private timer: unknown;
  private stopped = false;
  private readonly onTimer = () => {
    this.timer = undefined;
    void this.beat();
  };

  constructor(
    private readonly http: HttpClient,
    private readonly timers: PublisherTimers,
    private readonly intervalMs: number,
    private readonly describe: () => { publisherId: string; service: string; stats: PublisherStats },
  ) {}

  start(): void {
    if (this.intervalMs > 0) this.timer = this.timers.setTimeout(this.onTimer, this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    // A heartbeat that fails is simply missed: the next one carries fresher stats anyway.
    await this.http.post(
      API_PATHS.publisherHeartbeat,
      JSON.stringify(this.describe()),
      'application/json',
      false,
    );
    if (!this.stopped) this.timer = this.timers.setTimeout(this.onTimer, this.intervalMs);
  }
}

/** What the gateway knows about one publisher, as shown in `/admin/logs/stats`. */
export interface PublisherInfo {
  publisherId: string;
  service: string | null;
  /** ISO time of the last publish or heartbeat. */
  lastActivity: string;
  logsIn: number;
  lastHeartbeat: { at: string; stats: Record<string, unknown> } | null;
}

/** Publishers by id, bounded so a flood of made-up ids cannot grow memory without limit. */
export class PublisherRegistry {
  private readonly byId = new Map<string, PublisherInfo>();

  constructor(
    private readonly now: () => number,
    private readonly max = 10_000,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  published(publisherId: string, service: string | null, count: number): void {
    const info = this.touch(publisherId, service);
    info.logsIn += count;
  }

  heartbeat(publisherId: string, service: string | null, stats: Record<string, unknown>): void {
    const info = this.touch(publisherId, service);
    info.lastHeartbeat = { at: info.lastActivity, stats };
  }

  list(): PublisherInfo[] {
    return [...this.byId.values()];
  }

  private touch(publisherId: string, service: string | null): PublisherInfo {
    let info = this.byId.get(publisherId);
    if (info) {
      // Re-inserting keeps the map in least-recently-active order, so the oldest is evicted first.
      this.byId.delete(publisherId);
    } else {
      info = { publisherId, service, lastActivity: '', logsIn: 0, lastHeartbeat: null };
      if (this.byId.size >= this.max) this.byId.delete(this.byId.keys().next().value!);
    }
    info.lastActivity = new Date(this.now()).toISOString();
    if (service !== null) info.service = service;
    this.byId.set(publisherId, info);
    return info;
  }
}

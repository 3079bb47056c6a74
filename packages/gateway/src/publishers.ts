/** What the gateway knows about one publisher, as shown in `/admin/logs/stats`. */
export interface PublisherInfo {
  publisherId: string;
  /**
   * Opaque label of the token that reported this publisher (`open` without auth). Publishers are kept
   * per token: two tokens that use the same `publisherId` get an entry each.
   */
  owner: string;
  service: string | null;
  /** ISO time of the last publish or heartbeat. */
  lastActivity: string;
  logsIn: number;
  lastHeartbeat: { at: string; stats: Record<string, unknown> } | null;
}

/** How much the registry keeps, per token and in all. */
export interface PublisherLimits {
  /** Entries one token may have. Defaults to `100`. */
  perOwner: number;
  /** Bytes of entries (their ids and heartbeat stats as JSON) one token may have. Defaults to 256 kB. */
  bytesPerOwner: number;
  /** Entries in all. Defaults to `10_000`. */
  total: number;
  /** Bytes in all. Defaults to 8 MB. */
  totalBytes: number;
}

const DEFAULT_LIMITS: PublisherLimits = {
  perOwner: 100,
  bytesPerOwner: 256 * 1024,
  total: 10_000,
  totalBytes: 8 * 1024 * 1024,
};

/** Caller of the old signatures, and everyone in open mode: one shared owner. */
export const OPEN_OWNER = 'open';

/** Rough fixed cost of an entry besides its strings: the object, its map slots, two ISO times. */
const ENTRY_OVERHEAD_BYTES = 200;

interface Entry {
  info: PublisherInfo;
  /** Bytes of the last heartbeat's stats as JSON. */
  statsBytes: number;
  /** What the entry was last charged: its strings, its stats and a fixed overhead. */
  bytes: number;
}

/** One token's entries, least recently active first. */
interface Owner {
  entries: Map<string, Entry>;
  bytes: number;
}

/**
 * Publishers by token, then id. Each token has its own bounded share, and evicts its own least recently
 * active entries to stay within it: a token that invents ids by the thousand only ever replaces its own.
 * When the registry as a whole is full, the entry given up is the oldest of whichever token holds the
 * most, so a token never loses an entry to one that holds more than it does.
 */
export class PublisherRegistry {
  private readonly owners = new Map<string, Owner>();
  private readonly limits: PublisherLimits;
  private entries = 0;
  private bytes = 0;

  constructor(
    private readonly now: () => number,
    limits: Partial<PublisherLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get size(): number {
    return this.entries;
  }

  /** Entries and bytes held, in all or for one owner. */
  usage(owner?: string): { entries: number; bytes: number } {
    if (owner === undefined) return { entries: this.entries, bytes: this.bytes };
    const held = this.owners.get(owner);
    return { entries: held?.entries.size ?? 0, bytes: held?.bytes ?? 0 };
  }

  /** Records a publish of `count` entries. Without `owner` it counts under the shared {@link OPEN_OWNER}. */
  published(publisherId: string, service: string | null, count: number, owner = OPEN_OWNER): void {
    const entry = this.touch(owner, publisherId, service);
    entry.info.logsIn += count;
  }

  /** Records a heartbeat, replacing the stats the same owner last sent for `publisherId`. */
  heartbeat(
    publisherId: string,
    service: string | null,
    stats: Record<string, unknown>,
    owner = OPEN_OWNER,
  ): void {
    const entry = this.touch(owner, publisherId, service);
    entry.info.lastHeartbeat = { at: entry.info.lastActivity, stats };
    // Measured as the stats endpoint will serve it again. A heartbeat body is capped well below a
    // token's share, so one always fits once that token's older entries have made room.
    entry.statsBytes = Buffer.byteLength(JSON.stringify(stats));
    this.charge(owner, entry);
  }

  list(): PublisherInfo[] {
    const list: PublisherInfo[] = [];
    for (const owner of this.owners.values())
      for (const entry of owner.entries.values()) list.push(entry.info);
    return list;
  }

  private touch(ownerName: string, publisherId: string, service: string | null): Entry {
    let owner = this.owners.get(ownerName);
    if (!owner) {
      owner = { entries: new Map(), bytes: 0 };
      this.owners.set(ownerName, owner);
    }
    let entry = owner.entries.get(publisherId);
    if (entry) {
      // Re-inserting keeps the owner's map in least-recently-active order: its oldest is evicted first.
      owner.entries.delete(publisherId);
      owner.entries.set(publisherId, entry);
    } else {
      const info: PublisherInfo = {
        publisherId,
        owner: ownerName,
        service,
        lastActivity: '',
        logsIn: 0,
        lastHeartbeat: null,
      };
      entry = { info, statsBytes: 0, bytes: 0 };
      owner.entries.set(publisherId, entry);
      this.entries++;
    }
    entry.info.lastActivity = new Date(this.now()).toISOString();
    if (service !== null) entry.info.service = service;
    this.charge(ownerName, entry);
    return entry;
  }

  /** Updates what `entry` costs, then evicts until every limit holds again, never `entry` itself. */
  private charge(ownerName: string, entry: Entry): void {
    const owner = this.owners.get(ownerName)!;
    const { info } = entry;
    const bytes =
      ENTRY_OVERHEAD_BYTES +
      info.publisherId.length +
      info.owner.length +
      (info.service?.length ?? 0) +
      entry.statsBytes;
    owner.bytes += bytes - entry.bytes;
    this.bytes += bytes - entry.bytes;
    entry.bytes = bytes;
    const { perOwner, bytesPerOwner, total, totalBytes } = this.limits;
    while (owner.entries.size > perOwner || owner.bytes > bytesPerOwner) {
      if (!this.evictOldest(owner, entry)) break;
    }
    while (this.entries > total || this.bytes > totalBytes) {
      const largest = this.largestOwner(this.bytes > totalBytes, owner);
      if (!largest || !this.evictOldest(largest, entry)) break;
    }
  }

  /** Evicts the least recently active entry of `owner` other than `keep`; false when there is none. */
  private evictOldest(owner: Owner, keep: Entry): boolean {
    for (const [id, entry] of owner.entries) {
      if (entry === keep) continue;
      owner.entries.delete(id);
      owner.bytes -= entry.bytes;
      this.bytes -= entry.bytes;
      this.entries--;
      if (owner.entries.size === 0) this.owners.delete(entry.info.owner);
      return true;
    }
    return false;
  }

  /**
   * The owner holding the most entries (or bytes), `writer` on a tie: whoever adds to a full registry
   * pays first. A pass over the owners: it runs only when the registry as a whole is full, which takes
   * at least `total / perOwner` owners.
   */
  private largestOwner(byBytes: boolean, writer: Owner): Owner | undefined {
    let largest: Owner | undefined;
    let most = -1;
    for (const owner of this.owners.values()) {
      // Its one entry is the one being written.
      if (owner === writer && owner.entries.size === 1) continue;
      const held = byBytes ? owner.bytes : owner.entries.size;
      if (held > most || (held === most && owner === writer)) {
        largest = owner;
        most = held;
      }
    }
    return largest;
  }
}

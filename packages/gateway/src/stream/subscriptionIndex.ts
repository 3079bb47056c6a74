import { ChannelPattern, detached } from '../patterns';

/** Subscribers of one channel or pattern, with the pattern they share. */
class Leaf<T> extends Set<T> {
  constructor(readonly pattern: ChannelPattern) {
    super();
  }
}

/** Below a service key: workspace key, then resource key, then the subscribers of that pattern. */
type Workspaces<T> = Map<string, Map<string, Leaf<T>>>;

/**
 * Subscriptions by what they can match, so that routing a channel costs what its matches cost and not
 * what the gateway holds. A channel named in full is one `Map` lookup. Patterns sit in a tree keyed by
 * service, then workspace, then resource, where `*` is a key like any other: a channel follows at most
 * its own key and `*` at each level, so it visits at most 2 + 4 + 8 nodes however many patterns there are.
 *
 * Nodes are removed as soon as their last subscriber leaves, so memory follows the live subscriptions,
 * not every pattern ever asked for.
 */
export class SubscriptionIndex<T> {
  /** Every channel or pattern held, by source; for a pattern, the same set the tree holds at its leaf. */
  private readonly bySource = new Map<string, Leaf<T>>();
  private readonly tree = new Map<string, Workspaces<T>>();
  private treeMaps = 0;

  /**
   * Maps and sets held besides the two roots: one set per channel or pattern, plus the tree's inner
   * maps. It is 0 again once every subscription has been deleted.
   */
  get nodeCount(): number {
    return this.bySource.size + this.treeMaps;
  }

  /**
   * Returns the pattern held for `pattern.source`, which subscribers may keep instead of their own (a
   * parsed pattern is ~140 bytes per stream). It is the index's own copy: the name a request asked for
   * is cut from its URL and would keep all of it alive, tokens included, for as long as anyone else
   * follows that channel.
   */
  add(pattern: ChannelPattern, sub: T): ChannelPattern {
    let leaf = this.bySource.get(pattern.source);
    if (!leaf) {
      const own = new ChannelPattern(detached(pattern.source));
      leaf = new Leaf(own);
      this.bySource.set(own.source, leaf);
      if (!own.isExact) this.plant(own, leaf);
    }
    leaf.add(sub);
    return leaf.pattern;
  }

  delete(pattern: ChannelPattern, sub: T): void {
    const leaf = this.bySource.get(pattern.source);
    if (!leaf?.delete(sub) || leaf.size > 0) return;
    this.bySource.delete(pattern.source);
    if (!pattern.isExact) this.prune(pattern);
  }

  /**
   * Writes the subscriber sets whose channel or pattern matches `channel` (a concrete channel) into `out`
   * from index 0 and returns how many. Each set is a different channel or pattern, so a subscriber may
   * appear in several: the caller sends an entry once per subscriber. `out` is the caller's, reused.
   */
  match(channel: string, out: Set<T>[]): number {
    let n = 0;
    const exact = this.bySource.get(channel);
    if (exact) out[n++] = exact;
    if (this.tree.size === 0) return n;
    // `logs:<service>:<workspace>:<resource>`; the three segments are cut once per channel.
    const a = channel.indexOf(':') + 1;
    const b = channel.indexOf(':', a) + 1;
    const c = channel.indexOf(':', b) + 1;
    const service = channel.slice(a, b - 1);
    const workspace = channel.slice(b, c - 1);
    const resource = channel.slice(c);
    const named = this.tree.get(service);
    if (named) n = matchWorkspaces(named, workspace, resource, out, n);
    const any = this.tree.get('*');
    if (any) n = matchWorkspaces(any, workspace, resource, out, n);
    return n;
  }

  /** Subscribers per channel or pattern. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [source, leaf] of this.bySource) counts[source] = leaf.size;
    return counts;
  }

  private plant(pattern: ChannelPattern, leaf: Leaf<T>): void {
    const [service, workspace, resource] = pattern.segments;
    let workspaces = this.tree.get(service);
    if (!workspaces) {
      workspaces = new Map();
      this.tree.set(service, workspaces);
      this.treeMaps++;
    }
    let resources = workspaces.get(workspace);
    if (!resources) {
      resources = new Map();
      workspaces.set(workspace, resources);
      this.treeMaps++;
    }
    resources.set(resource, leaf);
  }

  private prune(pattern: ChannelPattern): void {
    const [service, workspace, resource] = pattern.segments;
    const workspaces = this.tree.get(service)!;
    const resources = workspaces.get(workspace)!;
    resources.delete(resource);
    if (resources.size > 0) return;
    workspaces.delete(workspace);
    this.treeMaps--;
    if (workspaces.size > 0) return;
    this.tree.delete(service);
    this.treeMaps--;
  }
}

function matchWorkspaces<T>(
  workspaces: Workspaces<T>,
  workspace: string,
  resource: string,
  out: Set<T>[],
  n: number,
): number {
  const named = workspaces.get(workspace);
  if (named) n = matchResources(named, resource, out, n);
  const any = workspaces.get('*');
  if (any) n = matchResources(any, resource, out, n);
  return n;
}

function matchResources<T>(resources: Map<string, Leaf<T>>, resource: string, out: Set<T>[], n: number) {
  const named = resources.get(resource);
  if (named) out[n++] = named;
  const any = resources.get('*');
  if (any) out[n++] = any;
  return n;
}

import type { LogEntry } from '@logs-sse/protocol';
import { droppedFromFront } from './countNewer';

/**
 * Every row's height, in an array the virtualizer reads by index. A batch that drops the oldest entries
 * and appends new ones shifts the array in place and computes only the new rows: the virtualizer asks
 * for all 100,000 heights after each batch, and a lookup per entry there was the view's main cost.
 */
export class RowHeights {
  private heights = new Float64Array(1024);
  private entries: readonly LogEntry[] = [];
  private heightOf: ((entry: LogEntry) => number) | undefined;

  update(entries: readonly LogEntry[], heightOf: (entry: LogEntry) => number): Float64Array {
    const previous = this.entries;
    const dropped = heightOf === this.heightOf ? droppedFromFront(previous, entries) : undefined;
    const kept = dropped === undefined ? 0 : previous.length - dropped;
    // Only a continuation of the previous list (same rows, maybe fewer at the front, more at the end).
    const continues =
      dropped !== undefined && kept <= entries.length && entries[kept - 1] === previous.at(-1);
    if (entries.length > this.heights.length) {
      const grown = new Float64Array(Math.max(entries.length, this.heights.length * 2));
      if (continues) grown.set(this.heights.subarray(dropped, previous.length));
      this.heights = grown;
    } else if (continues && dropped > 0) {
      this.heights.copyWithin(0, dropped, previous.length);
    }
    for (let i = continues ? kept : 0; i < entries.length; i++) this.heights[i] = heightOf(entries[i]!);
    this.entries = entries;
    this.heightOf = heightOf;
    return this.heights;
  }
}

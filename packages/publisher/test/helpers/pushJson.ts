import { WHOLE } from '../../src/entryParts';
import type { EntryQueue } from '../../src/entryQueue';

/** Queues an entry's JSON as `JSON.stringify` made it, as the encoder does for any entry it cannot split. */
export function pushJson(queue: EntryQueue, json: string, head: string, stamp: number): void {
  queue.parts.rewind();
  queue.parts.add(WHOLE, json);
  queue.commit(json.length, head, stamp);
}

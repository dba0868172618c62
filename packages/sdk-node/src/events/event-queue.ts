/**
 * A bounded FIFO (a ring buffer): when full, the oldest event is dropped and counted, so memory
 * stays bounded however long the server is unreachable.
 */
export class EventQueue<T> {
  readonly #items: (T | undefined)[];
  #head = 0;
  #size = 0;
  /** Events dropped because the queue was full, since start. */
  dropped = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array(capacity);
  }

  get length(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.capacity) {
      this.#items[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.capacity;
      this.#size--;
      this.dropped++;
    }
    this.#items[(this.#head + this.#size) % this.capacity] = item;
    this.#size++;
  }

  /** Removes and returns up to `max` of the oldest events. */
  take(max: number): T[] {
    const n = Math.min(max, this.#size);
    const out: T[] = new Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.#items[this.#head] as T;
      this.#items[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.capacity;
    }
    this.#size -= n;
    return out;
  }

  /** Puts back a batch that could not be sent, ahead of newer events; beyond capacity its oldest are dropped. */
  unshift(batch: readonly T[]): void {
    const room = this.capacity - this.#size;
    const keep = batch.length <= room ? batch : batch.slice(batch.length - room);
    this.dropped += batch.length - keep.length;
    for (let i = keep.length - 1; i >= 0; i--) {
      this.#head = (this.#head - 1 + this.capacity) % this.capacity;
      this.#items[this.#head] = keep[i];
      this.#size++;
    }
  }

  clear(): void {
    this.take(this.#size);
  }
}

/**
 * A double-ended queue on a ring buffer that grows: the admission queue takes
 * from both ends (the oldest when serving in order or expiring, the newest
 * when serving last-in first-out), each in constant time.
 *
 * @example
 * const q = new Deque<number>(); q.push(1); q.push(2); q.pop(); // 2
 */
export class Deque<T> {
  #items: (T | undefined)[] = new Array<T | undefined>(16);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) % this.#items.length] = item;
    this.#size++;
  }

  /** The oldest item, without taking it. */
  peekOldest(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** Takes the oldest item. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    // Cleared, so a served request is not held until its slot is reused.
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#size--;
    return item;
  }

  /** Takes the newest item. */
  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const index = (this.#head + this.#size - 1) % this.#items.length;
    const item = this.#items[index];
    this.#items[index] = undefined;
    this.#size--;
    return item;
  }

  #grow(): void {
    const items = new Array<T | undefined>(this.#items.length * 2);
    for (let i = 0; i < this.#size; i++) items[i] = this.#items[(this.#head + i) % this.#items.length];
    this.#items = items;
    this.#head = 0;
  }
}

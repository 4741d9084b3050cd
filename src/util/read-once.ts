import { safeGet } from './safe-get';

/**
 * A thrown value (or one link of its `cause` chain), each property read at
 * most once. Anything can be thrown, including getters and Proxies that answer
 * differently on every read: whatever the pipeline decides, it decides from
 * one reading, and a read that throws counts as absent.
 */
export class ReadOnce {
  readonly value: unknown;
  #memo: Map<PropertyKey, unknown> | undefined;

  constructor(value: unknown) {
    this.value = value;
  }

  get(key: PropertyKey): unknown {
    const memo = (this.#memo ??= new Map());
    if (memo.has(key)) return memo.get(key);
    const read = safeGet(this.value, key);
    memo.set(key, read);
    return read;
  }

  /** The property when it is a string, else `undefined`. */
  text(key: PropertyKey): string | undefined {
    const value = this.get(key);
    return typeof value === 'string' ? value : undefined;
  }
}

/**
 * How many causes below the thrown value are read: enough for real chains
 * (fetch failed → socket error → …, wrapped a few times by libraries), while a
 * cycle or an absurdly long chain stops here.
 */
export const MAX_CAUSES = 8;

/**
 * The thrown value and its `cause` chain, outermost first, walked on demand:
 * the one walk that classification, the diagnostics and the default log line
 * share. It ends at the first `undefined` cause, at a value seen before (a
 * cycle) or after {@link MAX_CAUSES} causes.
 */
export class CauseChain {
  readonly #links: ReadOnce[];
  #ended = false;

  constructor(thrown: unknown) {
    this.#links = [new ReadOnce(thrown)];
  }

  /** The thrown value itself. */
  get top(): ReadOnce {
    return this.#links[0] as ReadOnce;
  }

  /** The link at `depth` (0 is the thrown value), or `undefined` past the end of the chain. */
  at(depth: number): ReadOnce | undefined {
    const links = this.#links;
    while (links.length <= depth && !this.#ended) {
      const cause = (links[links.length - 1] as ReadOnce).get('cause');
      if (cause === undefined || links.length > MAX_CAUSES || links.some((link) => link.value === cause)) {
        this.#ended = true;
      } else {
        links.push(new ReadOnce(cause));
      }
    }
    return links[depth];
  }
}

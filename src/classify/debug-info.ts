import { inspect } from '../util/inspect';
import { CauseChain, type ReadOnce } from '../util/read-once';

/** One error of a `cause` chain, as development diagnostics show it. */
export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
}

/**
 * The internal diagnostics of a problem, present only when the `debug` option
 * is on. The same values are also members of the problem (`message`, `stack`,
 * `causes`), so the JSON and XML bodies carry them as they are.
 */
export interface DebugInfo {
  readonly message: string;
  readonly stack: string | undefined;
  /** The `cause` chain, outermost first, cycle-safe and depth-limited. */
  readonly causes: readonly ErrorInfo[];
}

/**
 * A thrown value that is no error, in words: its own members as read once (so
 * the diagnostics show what classification saw), never the value read again.
 */
function describeValue(link: ReadOnce): string {
  const { value } = link;
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return inspect(value);
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch {
    return '[uninspectable value]';
  }
  const members: Record<string, unknown> = {};
  for (const key of keys) {
    Object.defineProperty(members, key, { value: link.get(key), enumerable: true });
  }
  try {
    return inspect(members, { depth: 2, breakLength: Infinity });
  } catch {
    return '[uninspectable value]';
  }
}

/** One error of the chain as the diagnostics (and a trace's exception event) show it. */
export function errorInfo(link: ReadOnce): ErrorInfo {
  const { value } = link;
  const isObject = typeof value === 'object' && value !== null;
  const name = link.text('name');
  const message = link.text('message');
  const stack = link.text('stack');
  const code = link.get('code');
  return {
    name: name ?? (isObject ? 'Object' : typeof value),
    message: message ?? describeValue(link),
    ...(stack === undefined ? {} : { stack }),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
  };
}

/**
 * The internal diagnostics of a thrown value, for the `debug` option: its
 * message, its stack and its `cause` chain. Never throws, whatever was thrown.
 */
export function debugInfo(thrown: unknown): DebugInfo {
  return debugInfoOf(new CauseChain(thrown));
}

/** {@link debugInfo} from the chain classification already read, so nothing is read twice. */
export function debugInfoOf(chain: CauseChain): DebugInfo {
  const top = errorInfo(chain.top);
  const causes: ErrorInfo[] = [];
  for (let depth = 1, link = chain.at(1); link !== undefined; link = chain.at(++depth)) {
    causes.push(errorInfo(link));
  }
  return Object.freeze({ message: top.message, stack: top.stack, causes: Object.freeze(causes) });
}

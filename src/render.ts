import type { Problem } from './problem';

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

/** Everything a body format needs to render one problem. */
export interface RenderInput {
  /** The final problem: standard members, extensions, `traceId`, debug members. */
  readonly problem: Problem;
  /** The `Retry-After` header value the response carries, if any. */
  readonly retryAfter: string | undefined;
  /** The diagnostics, when `debug` is on. */
  readonly debug: DebugInfo | undefined;
}

/** Renders a problem as one body format. Must never throw for any problem. */
export type Renderer = (input: RenderInput) => string;

import type { DebugInfo } from '../classify/debug-info';
import type { Problem } from '../describe/problem';

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

/**
 * A renderer that never throws: the formats bound what they render, so the
 * fallback is the last resort for what no one foresaw.
 */
export function neverThrows(render: Renderer, fallback: string): Renderer {
  return (input) => {
    try {
      return render(input);
    } catch {
      return fallback;
    }
  };
}

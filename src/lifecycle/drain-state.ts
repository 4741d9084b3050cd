import type { DrainSettings } from './drain-options';

/** What `drain().status()` reports, for a readiness route that fails while `draining`. */
export interface DrainStatus {
  /** `close()` has been called: from then on the readiness probe should fail. */
  readonly draining: boolean;
  /** Requests whose response has not finished yet, refused ones included. */
  readonly inFlight: number;
}

/**
 * How one runtime closes its server; the phases of {@link DrainState.close}
 * call it in this order.
 */
export interface Closer {
  /**
   * After `delay`: stop accepting connections and close the idle ones. Settles
   * once the server has closed (at once when the runtime cannot tell); a
   * rejection counts as closed.
   */
  stop(): Promise<unknown>;
  /** A request finished while closing: close the connections that are now idle. */
  idle(): void;
  /** After `grace`: destroy whatever remains. */
  destroy(): void;
}

/** The shutdown of one server, whatever the runtime: the in-flight count, the phase, `close()`. */
export interface DrainState<Handle> {
  status(): DrainStatus;
  /** `status().draining`, without building the status: for a check on every response. */
  draining(): boolean;
  /**
   * A request arrives, counted in flight until {@link end}: `true` to serve it,
   * `false` to refuse it with the settings' refusal.
   */
  begin(handle: Handle): boolean;
  /** The response of `handle` has finished, or its connection has gone. */
  end(handle: Handle): void;
  /** Runs the phases once; a second call returns the same promise. */
  close(closer: Closer): Promise<void>;
}

/**
 * What a runtime does to a response once draining has started, so that its
 * connection closes after it (`Connection: close`, an HTTP/2 GOAWAY) where the
 * response can still say so.
 */
export type CloseAfter<Handle> = (handle: Handle) => void;

// serving → delaying (still serving, connections closed after each response)
// → closing (not accepting; refusing what arrives on open connections) → closed.
type Phase = 'serving' | 'delaying' | 'closing' | 'closed';

/**
 * The drain of one server: counts requests in flight and runs the phases of a
 * graceful shutdown, as @godaddy/terminus and lightship order them: `delay`
 * (the readiness probe fails while the server still serves, so the load
 * balancer has time to stop routing here), stop accepting, wait for the
 * requests in flight or `grace`, destroy what remains. It knows nothing of the
 * runtime: a {@link Closer} and a {@link CloseAfter} do that part.
 *
 * @example
 * const state = drainState<ServerResponse>(parseDrainOptions(options), (res) => res.setHeader('Connection', 'close'));
 */
export function drainState<Handle>(
  settings: DrainSettings,
  closeAfter: CloseAfter<Handle>,
): DrainState<Handle> {
  const inFlight = new Set<Handle>();
  let phase: Phase = 'serving';
  let closer: Closer | undefined;
  let closing: Promise<void> | undefined;
  let drained: (() => void) | undefined;

  function end(handle: Handle): void {
    if (!inFlight.delete(handle) || phase !== 'closing') return;
    // A response whose head went out before draining began kept its connection
    // alive; now that it is done, that connection is idle and can go.
    closer?.idle();
    if (inFlight.size === 0) drained?.();
  }

  async function run(next: Closer): Promise<void> {
    phase = 'delaying';
    for (const handle of inFlight) closeAfter(handle);
    if (settings.delay > 0) await sleep(settings.delay);
    phase = 'closing';
    closer = next;
    const closed = next.stop().catch(() => undefined);
    const deadline = timer(settings.grace);
    const done =
      inFlight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
    const finished = await Promise.race([
      done.then(() => {
        next.idle();
        return closed.then(() => true);
      }),
      deadline.expired.then(() => false),
    ]);
    deadline.cancel();
    phase = 'closed';
    if (finished) return;
    next.destroy();
    // What was destroyed is gone as far as the server goes, whether or not its
    // handler ever settles (a fetch handler cannot be cancelled).
    inFlight.clear();
  }

  return {
    status: () => Object.freeze({ draining: phase !== 'serving', inFlight: inFlight.size }),
    draining: () => phase !== 'serving',
    begin(handle) {
      inFlight.add(handle);
      if (phase === 'serving') return true;
      closeAfter(handle);
      return phase === 'delaying';
    },
    end,
    close(next) {
      closing ??= run(next);
      return closing;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A timer that can be cancelled, so a drain that finished early keeps nothing alive. */
function timer(ms: number): { readonly expired: Promise<void>; cancel(): void } {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<void>((resolve) => {
    handle = setTimeout(resolve, ms);
  });
  return { expired, cancel: () => clearTimeout(handle) };
}

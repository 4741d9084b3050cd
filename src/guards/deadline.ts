import { IncomingMessage, type ServerResponse } from 'node:http';

import { usageError } from '../misuse/usage-error';
import { hasEnded } from './response-state';

/**
 * One request's deadline, shared by its guards' queues and the request's
 * signal. Unless the request cannot lead to its response, it holds nothing
 * that leads back to the request (the queue entry holds the response and
 * `next`): V8's young-generation collector treats a WeakMap's values as
 * strong whatever their keys (VisitEphemeronHashTable in its scavenger.cc), so
 * a value that reached the request kept each request's objects past their
 * first collection and into the old generation (bench/young-gc.mjs).
 */
export interface Deadline {
  /** Which of the request's queue entries answers for it: a later `timeout()` makes a new one. */
  generation: number;
  /**
   * The response, for a request that does not point to it itself: Express's do
   * (`req.res`), Node's own do not.
   */
  readonly res: ServerResponse | undefined;
  /** Created when the route first asks for the signal. */
  controller: AbortController | undefined;
  /** Set once the deadline has aborted: why, for a signal asked for afterwards. */
  aborted: { reason: unknown } | undefined;
}

/**
 * The deadline of each request under {@link timeout}, beside the request rather
 * than on it. Express gives every request a prototype of the app's own, after
 * which V8 shares no hidden class between requests: each property added to a
 * request makes a new one and copies its ~35 descriptors. The symbol this used
 * to set was one more of those. The table costs no more (bench/instructions.mjs
 * against the symbol's build, 2026-12-03: 805 000 and 818 000 instructions per
 * request under `timeout()`, against 814 000 and 819 000), leaves the request as
 * the framework made it, and an entry goes when its request does.
 */
const deadlines = new WeakMap<IncomingMessage, Deadline>();

/**
 * The requests whose `timeout()` is running the rest of their chain, and their
 * deadlines, innermost last: while it runs, a request's deadline is found
 * here, and {@link releaseDeadline} decides whether it goes into the table.
 * As deep as guards nest on one stack (one a request, and one for each
 * request a route handles synchronously inside its own).
 */
const heldRequests: (IncomingMessage | undefined)[] = [];
const heldDeadlines: (Deadline | undefined)[] = [];
let held = 0;

/** The request's deadline, if a {@link timeout} holds one for it. */
export function deadlineOf(req: IncomingMessage): Deadline | undefined {
  for (let i = held - 1; i >= 0; i--) {
    if (heldRequests[i] === req) return heldDeadlines[i];
  }
  return deadlines.get(req);
}

/**
 * Makes the request's deadline findable while its `timeout()` runs the rest
 * of the chain; {@link releaseDeadline} ends that, in the reverse order.
 */
export function holdDeadline(req: IncomingMessage, deadline: Deadline): void {
  heldRequests[held] = req;
  heldDeadlines[held] = deadline;
  held++;
}

/**
 * The guard's `next()` has returned. The deadline goes into the table unless
 * nothing can find it changed: that of an Express request (which points at its
 * response) answered and ended by then, whose route did not ask for the
 * signal, could no longer abort. The table's entry cost such a request about
 * 1 100 instructions, and kept its deadline past the young generation (V8's
 * scavenger keeps a WeakMap's values); asked for later, the signal comes from
 * a deadline made then ({@link requestSignal}), which does not abort either.
 */
export function releaseDeadline(waiting: boolean, res: ServerResponse): void {
  held--;
  const req = heldRequests[held] as IncomingMessage;
  const deadline = heldDeadlines[held] as Deadline;
  heldRequests[held] = undefined;
  heldDeadlines[held] = undefined;
  if (
    waiting ||
    deadline.res !== undefined ||
    deadline.controller !== undefined ||
    deadline.aborted !== undefined ||
    !hasEnded(res)
  ) {
    deadlines.set(req, deadline);
  }
}

/**
 * The deadline of an Express request that {@link releaseDeadline} kept out of
 * the table, made when its signal is asked for: its request is of an app whose
 * requests went through `timeout()` and point at their responses, and its
 * response has ended. Like the one it stands for, it is not aborted. A
 * request of that app that no `timeout()` ran for gets one too, once ended:
 * nothing tells the two apart then, and neither could abort.
 */
function deadlineAfterEnd(req: IncomingMessage): Deadline | undefined {
  const proto: unknown = Object.getPrototypeOf(req);
  if (typeof proto !== 'object' || proto === null || signalPrototypes.get(proto) !== true) return undefined;
  const res = responseOf(req);
  if (typeof res !== 'object' || res === null || !hasEnded(res as ServerResponse)) return undefined;
  const deadline: Deadline = { generation: 0, res: undefined, controller: undefined, aborted: undefined };
  deadlines.set(req, deadline);
  return deadline;
}

const SIGNAL_PROPERTY: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: IncomingMessage) {
    return requestSignal(this);
  },
};

/**
 * Request prototypes that carry the getter of {@link prototypeSignal}, and
 * whether their requests point to their responses, as Express's do (`req.res`).
 */
const signalPrototypes = new WeakMap<object, boolean>();

/**
 * `signal` on a framework's request prototype: the deadline's signal for a
 * request under {@link timeout}, and for any other request whatever the rest of
 * the prototype chain says (undefined, unless something else defines it).
 */
function prototypeSignal(proto: object): PropertyDescriptor {
  const parent: unknown = Object.getPrototypeOf(proto);
  return {
    configurable: true,
    enumerable: false,
    get(this: IncomingMessage) {
      if (deadlineOf(this) !== undefined || deadlineAfterEnd(this) !== undefined) return requestSignal(this);
      return typeof parent === 'object' && parent !== null ? Reflect.get(parent, 'signal', this) : undefined;
    },
  };
}

/**
 * Gives `req` its `signal`, and tells whether `requestSignal` can find the
 * response from the request, so that the deadline need not hold it. Express
 * points every request of an app at a prototype of that app's own
 * (`app.request`): one getter there serves them all, where defining a property
 * on each request cost 5 to 8% of a small route's CPU (measured). Node's own
 * request prototypes are shared by every server in the process, so a bare
 * node:http or Connect request gets a property of its own instead, as does one
 * whose prototype already has a `signal`.
 */
export function exposeSignal(req: IncomingMessage, res: ServerResponse): boolean {
  const proto: unknown = Object.getPrototypeOf(req);
  if (typeof proto !== 'object' || proto === null) {
    Object.defineProperty(req, 'signal', SIGNAL_PROPERTY);
    return false;
  }
  const linked = signalPrototypes.get(proto);
  if (linked !== undefined) return linked;
  if (
    proto === IncomingMessage.prototype ||
    isHttp2CompatibilityPrototype(proto) ||
    Object.hasOwn(proto, 'signal') ||
    !Object.isExtensible(proto)
  ) {
    Object.defineProperty(req, 'signal', SIGNAL_PROPERTY);
    return false;
  }
  Object.defineProperty(proto, 'signal', prototypeSignal(proto));
  // Asked once per prototype: Express's init middleware links every request of the app.
  const links = responseOf(req) === res;
  signalPrototypes.set(proto, links);
  return links;
}

/** The response a framework's request points to, as Express's `req.res` does. */
function responseOf(req: IncomingMessage): unknown {
  return (req as { res?: unknown }).res;
}

/**
 * Whether `proto` is the prototype of `node:http2`'s compatibility requests,
 * told by its constructor's name: importing `node:http2` to compare costs
 * every process a few milliseconds of start-up, for the few servers that use
 * it. A look-alike only gets the signal on each request instead.
 */
function isHttp2CompatibilityPrototype(proto: object): boolean {
  const constructor: unknown = Object.hasOwn(proto, 'constructor')
    ? (proto as { constructor: unknown }).constructor
    : undefined;
  return typeof constructor === 'function' && constructor.name === 'Http2ServerRequest';
}

/**
 * The request's abort signal: it aborts when the {@link timeout} deadline
 * passes (its reason is the error that was answered) or when the client goes
 * away before the response is sent. Hand it to `fetch`, database drivers and
 * anything else that takes a signal. Throws when no `timeout()` ran for the request.
 *
 * @example
 * const rows = await db.query(sql, { signal: requestSignal(req) });
 */
export function requestSignal(req: IncomingMessage): AbortSignal {
  const deadline = deadlineOf(req) ?? deadlineAfterEnd(req);
  if (deadline === undefined) {
    throw usageError(
      TypeError,
      'ERR_SERVER_ERRORS_NOT_CALLED',
      'requestSignal(req): no timeout() ran for this request; add app.use(timeout(ms)) before the route.',
    );
  }
  if (deadline.controller === undefined) {
    deadline.controller = new AbortController();
    const res = deadline.res ?? (responseOf(req) as ServerResponse);
    if (deadline.aborted !== undefined) deadline.controller.abort(deadline.aborted.reason);
    else if (isClientGone(res)) abort(deadline);
    // Only a route that holds the signal needs to hear of a client leaving: a
    // listener on every response would cost every request.
    else res.once('close', onClose);
  }
  return deadline.controller.signal;
}

/** The client went away before the answer was complete: nobody waits for the work any more. */
export function isClientGone(res: ServerResponse): boolean {
  return res.destroyed && !res.writableFinished;
}

function onClose(this: ServerResponse): void {
  // Node (and Express) point a response at its request, whose deadline this is.
  const req = this.req as IncomingMessage | undefined;
  const deadline = req === undefined ? undefined : deadlineOf(req);
  if (deadline !== undefined && deadline.aborted === undefined && !this.writableFinished) abort(deadline);
}

/** Aborts the request's signal, now or for a route that asks for it later. */
export function abort(deadline: Deadline, reason?: unknown): void {
  deadline.aborted = { reason };
  deadline.controller?.abort(reason);
}

import type { ErrorHeaders } from '../http/headers';
import type { PlainObject } from '../util/plain-value';
import type { DebugInfo, ErrorInfo } from './debug-info';

/**
 * What classification makes of a thrown value: everything the problem and the
 * response are built from, read once from the thrown value, checked and frozen.
 */
export interface Classified {
  /** 400–599. */
  readonly status: number;
  /** The headers the error asks for that may be sent with its status, checked and bounded. */
  readonly headers?: ErrorHeaders | undefined;
  /** Public explanation for the `detail` member. */
  readonly detail?: string | undefined;
  readonly type?: string | undefined;
  readonly instance?: string | undefined;
  /** The error's extension members; read once, as bounded plain values, in a snapshot. */
  readonly extensions?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The thrown value as the whole pipeline sees it: its classification and the
 * few other facts read at the same time. Nothing after the snapshot reads the
 * thrown value again (only the log receives it, as thrown).
 */
export interface Snapshot extends Classified {
  readonly headers: ErrorHeaders;
  readonly extensions?: PlainObject | undefined;
  /** A guard's deliberate refusal: answered, not logged. */
  readonly refusal: boolean;
  /**
   * The failure is an abort or a connection cut short (an `AbortError`, a reset
   * or aborted socket), on the error or down its cause chain: when the client
   * has gone as well, the client closed the request.
   */
  readonly aborted: boolean;
  /** The diagnostics, when the `debug` option is on. */
  readonly debug: DebugInfo | undefined;
  /**
   * What a trace's `error.type` says (OpenTelemetry's HTTP conventions): the
   * class name of one of our errors, else the status as text.
   */
  readonly errorType: string;
  /** The thrown error's name, message and stack, for a trace's exception event, when asked for. */
  readonly exception: ErrorInfo | undefined;
}

/** A classification that is a status alone. */
export function classified(status: number): Classified {
  return Object.freeze({ status });
}

/** What anything unrecognised becomes. */
export const INTERNAL: Classified = classified(500);

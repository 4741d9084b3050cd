import type { Classified } from '../classify/classified';
import { isFlatPlain, toPlainObject } from '../util/plain-value';
import type { DebugInfo } from '../classify/debug-info';
import {
  isExtensionKey,
  isMemberKey,
  PROBLEM_MEMBERS,
  TEXT_MEMBERS,
  TRACE_ID_MEMBER,
} from '../http/problem-members';
import type { StatusPlan } from './status-plan';

/** An RFC 9457 problem details object, as sent in the body. */
export interface Problem {
  /** A URI reference that identifies the problem type (RFC 9457 §3.1.1). */
  type: string;
  /** The short summary of the type: the status's reason phrase. */
  title: string;
  /** Always the status of the HTTP response (RFC 9457 §3.1.2 requires it). */
  status: number;
  /** Public, occurrence-specific explanation; present only when an error gives one. */
  detail?: string;
  /** A URI reference for this occurrence; defaults to the request path without its query. */
  instance?: string;
  /** Extension members. */
  [member: string]: unknown;
}

/**
 * Builds the problem for a classified error: the catalog's title and type, the
 * error's public detail and extensions, the occurrence's instance. Extensions
 * are read once as bounded plain values (what cannot be read or serialised is
 * left out, the rest kept), and never replace a standard member or reach a
 * prototype.
 */
export function describeProblem(error: Classified, plan: StatusPlan, instance: string | undefined): Problem {
  const problem: Problem = {
    type: typeof error.type === 'string' ? error.type : plan.type,
    title: plan.title,
    status: plan.status,
  };
  if (typeof error.detail === 'string') problem.detail = error.detail;
  const ownInstance = typeof error.instance === 'string' ? error.instance : instance;
  if (ownInstance !== undefined) problem.instance = ownInstance;
  const { extensions } = error;
  if (extensions !== undefined) {
    const plain = toPlainObject(extensions);
    for (const key of Object.keys(plain)) if (isExtensionKey(key)) problem[key] = plain[key];
  }
  return problem;
}

/**
 * @deprecated Use {@link describeProblem}: `describe` shadows the `describe` of
 * Jest, Mocha and Vitest in every test file that imports it.
 */
export const describe = describeProblem;

/**
 * The problem as it is sent, in every format: plain values only, frozen, and
 * within the bounds of one body (`PLAIN_LIMITS`). What cannot be serialised (a
 * cycle, a throwing getter or `toJSON`) is left out, a BigInt becomes text, and
 * everything else is kept.
 */
export function finalize(problem: Problem): Problem {
  // The usual problem (the standard members, a trace id) is flat, plain already:
  // no copy. Renderers only read it, and customize has had its turn.
  return isFlatPlain(problem) ? problem : (toPlainObject(problem, FIRST_MEMBERS) as Problem);
}

// However large the extensions, the standard members and the trace id are kept.
const FIRST_MEMBERS = [...PROBLEM_MEMBERS, TRACE_ID_MEMBER];

/** The problem as JSON, as {@link finalize} leaves it. Never throws. */
export function serialize(problem: Problem): string {
  return JSON.stringify(finalize(problem));
}

/**
 * Adds the `debug` diagnostics as members. A member the error already set wins:
 * diagnostics are for the developer, and must not hide what the client reads.
 */
export function withDiagnostics(problem: Problem, debug: DebugInfo): Problem {
  if (!('message' in problem)) problem.message = debug.message;
  if (!('stack' in problem) && debug.stack !== undefined) problem.stack = debug.stack;
  if (!('causes' in problem) && debug.causes.length > 0) problem.causes = debug.causes;
  return problem;
}

/**
 * What a `customize` hook produced, made safe to send: a plain copy of its own
 * members without prototype keys, `status` forced back to the HTTP status
 * (RFC 9457 §3.1.2), `type` and `title` restored when no longer strings, and
 * `detail` and `instance` dropped when no longer strings.
 */
export function enforceInvariants(candidate: unknown, plan: StatusPlan, original: Problem): Problem {
  const source = typeof candidate === 'object' && candidate !== null ? candidate : original;
  const problem: Problem = { type: plan.type, title: plan.title, status: plan.status };
  for (const key of Object.keys(source)) {
    if (key === 'status' || !isMemberKey(key)) continue;
    const value = (source as Record<string, unknown>)[key];
    if (TEXT_MEMBERS.includes(key) && typeof value !== 'string') continue;
    problem[key] = value;
  }
  return problem;
}

/**
 * The members RFC 9457 §3.1 defines, in the order every format sends them.
 * `status` is a number; the others are strings.
 */
export const PROBLEM_MEMBERS: readonly string[] = Object.freeze([
  'type',
  'title',
  'status',
  'detail',
  'instance',
]);

/** The standard members that hold text (RFC 9457 §3.1.1, §3.1.3–§3.1.5). */
export const TEXT_MEMBERS: readonly string[] = Object.freeze(['type', 'title', 'detail', 'instance']);

/** The extension member this package adds to every problem, so a response and its log line match. */
export const TRACE_ID_MEMBER = 'traceId';

// Keys that reach a prototype, and `toJSON`, which JSON.stringify would call
// instead of serialising the problem.
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];
const SERIALISER_KEYS = ['toJSON'];

/** Whether a key may be a member of a problem at all: not one that reaches a prototype or hijacks JSON. */
export function isMemberKey(key: string): boolean {
  return !PROTOTYPE_KEYS.includes(key) && !SERIALISER_KEYS.includes(key);
}

/**
 * Whether a key may be an extension member of a problem: not one of the
 * standard members (RFC 9457 §3.1) and not one that reaches a prototype.
 */
export function isExtensionKey(key: string): boolean {
  return !PROBLEM_MEMBERS.includes(key) && isMemberKey(key);
}

/** Why a key cannot be an extension member, for an error message; `undefined` when it can. */
export function extensionKeyProblem(key: string): string | undefined {
  if (PROBLEM_MEMBERS.includes(key)) return 'it is a standard problem member; use the option of that name';
  if (SERIALISER_KEYS.includes(key)) return 'JSON.stringify would call it instead of sending the problem';
  if (PROTOTYPE_KEYS.includes(key)) return 'it would reach a prototype';
  return undefined;
}

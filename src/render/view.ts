import { type PlainObject, type PlainValue, toPlainObject } from '../util/plain-value';
import { PROBLEM_MEMBERS, TRACE_ID_MEMBER } from '../http/problem-members';
import type { RenderInput } from './renderer';
import { retryAfterWords, type RetryWhen } from './retry-words';
import { isHttpUrl, isLoginUrl } from '../http/urls';

/** What a person reads of a problem, whatever the format: the shared part of the HTML and text bodies. */
export interface ProblemView {
  /** `"503 Service Unavailable"`. */
  readonly heading: string;
  readonly detail: string | undefined;
  readonly retry: RetryWhen | undefined;
  readonly type: string | undefined;
  /** The type when it is an http(s) URL, so it can be linked to. */
  readonly typeUrl: string | undefined;
  readonly traceId: string | undefined;
  /** On a 511, the `loginUrl` when it is safe to link to. */
  readonly loginUrl: string | undefined;
  /** The other extension members, each value as one text. */
  readonly members: ReadonlyArray<readonly [string, string]>;
  readonly debug: DebugView | undefined;
}

export interface DebugView {
  readonly message: string | undefined;
  readonly stack: string | undefined;
  /** Each error of the `cause` chain as one text: name, message, code and stack. */
  readonly causes: readonly string[];
}

// Members shown in a place of their own, so not again among the others.
const SET_APART = [...PROBLEM_MEMBERS, TRACE_ID_MEMBER];
const DEBUG_MEMBERS = ['message', 'stack', 'causes'];

/** Builds the view of a problem. Never throws: what cannot be read is left out. */
export function viewProblem(input: RenderInput): ProblemView {
  const problem = toPlainObject(input.problem);
  const status = problem.status;
  const debug = input.debug === undefined ? undefined : viewDebug(toPlainObject(input.debug));
  const shown = new Set(SET_APART);
  if (status === 511) shown.add('loginUrl');
  if (debug !== undefined) for (const name of DEBUG_MEMBERS) shown.add(name);
  const type = text(problem.type);
  const loginUrl = text(problem.loginUrl);
  return {
    heading: `${typeof status === 'number' ? status : ''} ${text(problem.title) ?? ''}`.trim() || 'Error',
    detail: text(problem.detail),
    retry: retryAfterWords(input.retryAfter),
    type,
    typeUrl: type !== undefined && isHttpUrl(type) ? type : undefined,
    traceId: text(problem.traceId),
    loginUrl: status === 511 && loginUrl !== undefined && isLoginUrl(loginUrl) ? loginUrl : undefined,
    members: Object.keys(problem)
      .filter((name) => !shown.has(name))
      .map((name) => [name, show(problem[name] ?? null)] as const),
    debug,
  };
}

function viewDebug(debug: PlainObject): DebugView {
  const causes = Array.isArray(debug.causes) ? debug.causes : [];
  return {
    message: text(debug.message),
    stack: text(debug.stack),
    causes: causes.map((cause) => {
      const info = typeof cause === 'object' && cause !== null && !Array.isArray(cause) ? cause : {};
      const head = `${text(info.name) ?? 'Error'}: ${text(info.message) ?? ''}`;
      const stack = text(info.stack);
      const code = text(info.code);
      // V8 stacks start with "name: message"; say it once.
      const trace = stack?.startsWith(`${head}\n`) ? stack.slice(head.length + 1) : stack;
      return [code === undefined ? head : `${head} (code ${code})`, trace]
        .filter((part) => part !== undefined)
        .join('\n');
    }),
  };
}

function text(value: PlainValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A member as a person reads it: text as it is, anything else as JSON. */
function show(value: PlainValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

import fc from 'fast-check';

import type { Problem } from '../../src/describe/problem';
import type { DebugInfo } from '../../src/classify/debug-info';
import type { RenderInput } from '../../src/render/renderer';

export const SPEC_503 = 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4';
export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const INJECTION = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>';

/** The problem of `new ServiceUnavailable(120, { detail })` on GET /orders, with a trace id. */
export function problem503(extra: Record<string, unknown> = {}): Problem {
  return {
    type: SPEC_503,
    title: 'Service Unavailable',
    status: 503,
    detail: 'Down for maintenance.',
    instance: '/orders',
    traceId: TRACE_ID,
    ...extra,
  };
}

export function input(problem: Problem, retryAfter?: string, debug?: DebugInfo): RenderInput {
  return { problem, retryAfter, debug };
}

/** The problem of a 511 with the given login URL. */
export function problem511(loginUrl: unknown): Problem {
  return {
    type: 'https://www.rfc-editor.org/rfc/rfc6585.html#section-6',
    title: 'Network Authentication Required',
    status: 511,
    loginUrl,
  };
}

export const DEBUG: DebugInfo = {
  message: 'pool exhausted <after 3 tries>',
  stack: 'ServiceUnavailable: pool exhausted <after 3 tries>\n    at getConnection (/app/db.js:10:5)',
  causes: [
    {
      name: 'Error',
      message: 'connect ECONNREFUSED 127.0.0.1:5432',
      code: 'ECONNREFUSED',
      stack:
        'Error: connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect (node:net:1555:16)',
    },
  ],
};

/** A 503 problem as the debug option makes it: the diagnostics are members too. */
export function debugProblem(): Problem {
  return problem503({ message: DEBUG.message, stack: DEBUG.stack, causes: DEBUG.causes });
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

/** Extension members no renderer may throw on. */
export function hostileMembers(): Record<string, unknown> {
  const cycle: Record<string, unknown> = { name: 'loop' };
  cycle.self = cycle;
  const list: unknown[] = [1];
  list.push(list);
  return {
    cycle,
    list,
    big: 12345678901234567890n,
    fn: () => 1,
    sym: Symbol('s'),
    undef: undefined,
    getter: Object.defineProperty({ ok: 1 }, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    }),
    badJson: {
      toJSON() {
        throw new Error('toJSON');
      },
    },
    date: new Date(Date.UTC(2030, 0, 1)),
    proxy: new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    ),
    nonFinite: [NaN, Infinity],
    controls: 'a\u0000b\u001b[2Jc\u0007d\ud800e\udc00f\ufffeg\u009bh\r\n',
    'not a name': 1,
    '1st': 2,
    'a:b': 3,
    xmlThing: 4,
    '': 5,
    '<tag>': 6,
    ['__proto__']: 7,
  };
}

/** Extension members beyond what one render holds: each is cut short. */
export function oversizedMembers(): Record<string, unknown> {
  return {
    deep: nested(1000),
    wide: Array.from({ length: 100_000 }, (_, i) => i),
    huge: '<&'.repeat(1_000_000),
  };
}

/** A problem whose every read throws. */
export const THROWING_PROBLEM = new Proxy({} as Problem, {
  get() {
    throw new Error('get');
  },
  ownKeys() {
    throw new Error('ownKeys');
  },
  getOwnPropertyDescriptor() {
    throw new Error('getOwnPropertyDescriptor');
  },
  getPrototypeOf() {
    throw new Error('getPrototypeOf');
  },
  has() {
    throw new Error('has');
  },
});

/** Text holding the characters that break formats: markup, controls, lone surrogates. */
const nastyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('&', '<', '>', '"', "'", ']]>', '\r', '\n', '\t', '\u0000', '\u001b', '\u0085', '\u2028'),
    fc.constantFrom('\ud800', '\udfff', '\ufffe', '\uffff', '\u202e', '😀', 'é', 'xml', ':'),
    fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
  ),
  maxLength: 20,
});

/** Arbitrary problems: standard members, then extensions of any JSON-ish shape with nasty names and text. */
export const anyProblem: fc.Arbitrary<Problem> = fc
  .record({
    status: fc.integer({ min: 100, max: 599 }),
    title: nastyText,
    type: nastyText,
    detail: fc.option(nastyText, { nil: undefined }),
    extensions: fc.dictionary(
      nastyText,
      fc.anything({
        key: nastyText,
        values: [nastyText, fc.double(), fc.boolean(), fc.constant(null), fc.bigInt()],
        maxDepth: 3,
        withBigInt: true,
        withDate: true,
        withMap: true,
        withNullPrototype: true,
        withSparseArray: true,
        withTypedArray: true,
        withBoxedValues: true,
      }),
      { maxKeys: 6 },
    ),
  })
  .map(({ extensions, detail, ...standard }) => {
    const problem: Problem = detail === undefined ? standard : { ...standard, detail };
    for (const [key, value] of Object.entries(extensions)) {
      Object.defineProperty(problem, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return problem;
  });

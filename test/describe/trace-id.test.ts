import type { IncomingMessage } from 'node:http';

import { defaultTraceId, sanitizeRequestId, traceIdOfTraceparent } from '../../src/describe/trace-id';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('traceIdOfTraceparent', () => {
  it('reads the trace-id of a valid traceparent', () => {
    expect(traceIdOfTraceparent(`00-${TRACE}-00f067aa0ba902b7-01`)).toBe(TRACE);
  });

  it('accepts extra fields from a future version', () => {
    expect(traceIdOfTraceparent(`01-${TRACE}-00f067aa0ba902b7-01-future`)).toBe(TRACE);
  });

  it.each([
    ['version ff', `ff-${TRACE}-00f067aa0ba902b7-01`],
    ['an all-zero trace-id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero parent-id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-00f067aa0ba902b7-01`],
    ['a short trace-id', `00-${TRACE.slice(1)}-00f067aa0ba902b7-01`],
    ['extra fields on version 00', `00-${TRACE}-00f067aa0ba902b7-01-x`],
    ['two joined headers', `00-${TRACE}-00f067aa0ba902b7-01, 00-${TRACE}-00f067aa0ba902b7-01`],
    ['markup', `00-<script>-00f067aa0ba902b7-01`],
  ])('refuses %s', (_name, header) => {
    expect(traceIdOfTraceparent(header)).toBeUndefined();
  });
});

describe('sanitizeRequestId', () => {
  it.each(['req-123', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'a+b/c=='])(
    'echoes %p',
    (id) => expect(sanitizeRequestId(id)).toBe(id),
  );

  it.each(['', 'x'.repeat(129), 'a b', '<script>', 'a\r\nb', 'a"b', 'ä'])('refuses %p', (id) => {
    expect(sanitizeRequestId(id)).toBeUndefined();
  });
});

describe('defaultTraceId', () => {
  it('prefers the traceparent, then X-Request-Id', () => {
    expect(
      defaultTraceId(request({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01`, 'x-request-id': 'r1' })),
    ).toBe(TRACE);
    expect(defaultTraceId(request({ traceparent: 'garbage', 'x-request-id': 'r1' }))).toBe('r1');
  });

  it('generates a fresh 32-hex id otherwise', () => {
    const a = defaultTraceId(request({ 'x-request-id': '<bad>' }));
    const b = defaultTraceId(request({}));
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });
});

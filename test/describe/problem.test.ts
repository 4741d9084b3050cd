import { BadGateway, NetworkReadTimeout, ServiceUnavailable } from '../../src/errors/classes';
import {
  describe as describeProblem,
  finalize,
  serialize,
  withDiagnostics,
} from '../../src/describe/problem';
import { statusPlanner } from '../../src/describe/status-plan';

const plan = statusPlanner('spec');

describe('describe', () => {
  it('builds type, title, status, detail and instance in that order', () => {
    const problem = describeProblem(
      new ServiceUnavailable(120, { detail: 'Back soon' }),
      plan(503),
      '/orders',
    );
    expect(Object.keys(problem)).toEqual(['type', 'title', 'status', 'detail', 'instance']);
    expect(problem).toEqual({
      type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4',
      title: 'Service Unavailable',
      status: 503,
      detail: 'Back soon',
      instance: '/orders',
    });
  });

  it('leaves detail out when the error has none public', () => {
    expect(describeProblem({ status: 500 }, plan(500), '/')).not.toHaveProperty('detail');
  });

  it("prefers the error's own type and instance", () => {
    const error = new BadGateway({ type: 'https://example.com/problems/upstream', instance: 'urn:uuid:1' });
    expect(describeProblem(error, plan(502), '/path')).toMatchObject({
      type: 'https://example.com/problems/upstream',
      instance: 'urn:uuid:1',
    });
  });

  it('uses about:blank for 598 and 599, which no RFC defines', () => {
    expect(describeProblem(new NetworkReadTimeout(), plan(598), '/').type).toBe('about:blank');
    expect(plan(599).type).toBe('about:blank');
  });

  it('uses about:blank everywhere under that scheme', () => {
    const blank = statusPlanner('about:blank');
    expect(blank(503)).toMatchObject({ type: 'about:blank', title: 'Service Unavailable' });
    expect(blank(404).type).toBe('about:blank');
  });

  it('links a 4xx to its RFC 9110 section and other 4xx to about:blank', () => {
    expect(plan(404)).toMatchObject({
      title: 'Not Found',
      type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5',
    });
    expect(plan(426).type).toBe('https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.22');
    expect(plan(429)).toMatchObject({ title: 'Too Many Requests', type: 'about:blank' });
  });

  it('titles a status without a reason phrase by its class', () => {
    expect(plan(599).title).toBe('Network Connect Timeout Error');
    expect(plan(555).title).toBe('Server Error');
    expect(plan(499).title).toBe('Client Error');
    expect(plan(509).title).toBe('Bandwidth Limit Exceeded');
  });

  it('adds extensions after the standard members', () => {
    const error = new BadGateway({ extensions: { upstream: 'payments', attempts: [1, 2] } });
    const problem = describeProblem(error, plan(502), '/');
    expect(Object.keys(problem)).toEqual(['type', 'title', 'status', 'instance', 'upstream', 'attempts']);
    expect(problem.attempts).toEqual([1, 2]);
  });

  it('never lets extensions replace a standard member or reach a prototype', () => {
    const hostile = {
      status: 503,
      extensions: JSON.parse(
        '{"status":200,"type":"x","title":"x","detail":"x","instance":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":1,"toJSON":1,"ok":1}',
      ) as Record<string, unknown>,
    };
    const problem = describeProblem(hostile, plan(503), '/p');
    expect(problem).toEqual({
      type: plan(503).type,
      title: 'Service Unavailable',
      status: 503,
      instance: '/p',
      ok: 1,
    });
    expect(Object.getPrototypeOf(problem)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps the extensions that can be read when another cannot', () => {
    const extensions = Object.defineProperty({ first: 1 }, 'second', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    expect(describeProblem({ status: 500, extensions }, plan(500), '/')).toEqual({
      type: plan(500).type,
      title: 'Internal Server Error',
      status: 500,
      instance: '/',
      first: 1,
    });
  });

  it.each([
    [
      'all extensions when they cannot be read',
      new Proxy(
        { a: 1 },
        {
          get() {
            throw new Error('trap');
          },
        },
      ),
    ],
  ])('drops %s', (_what, extensions) => {
    expect(describeProblem({ status: 500, extensions }, plan(500), '/')).toEqual({
      type: plan(500).type,
      title: 'Internal Server Error',
      status: 500,
      instance: '/',
    });
  });
});

describe('withDiagnostics', () => {
  const debug = {
    message: 'kaput',
    stack: 'Error: kaput\n    at x',
    causes: [{ name: 'Error', message: 'root' }],
  };
  const fresh = () => describeProblem({ status: 500 }, plan(500), '/');

  it('adds the message, the stack and the causes as members', () => {
    expect(withDiagnostics(fresh(), debug)).toMatchObject(debug);
  });

  it('lets a member the error already set win', () => {
    const problem = { ...fresh(), message: 'public', stack: 'mine', causes: 'none' };
    expect(withDiagnostics(problem, debug)).toMatchObject({
      message: 'public',
      stack: 'mine',
      causes: 'none',
    });
  });

  it('leaves out a missing stack and an empty cause chain', () => {
    const problem = withDiagnostics(fresh(), { message: 'kaput', stack: undefined, causes: [] });
    expect(problem).toHaveProperty('message', 'kaput');
    expect(problem).not.toHaveProperty('stack');
    expect(problem).not.toHaveProperty('causes');
  });
});

describe('serialize', () => {
  const base = { type: 'about:blank', title: 'Bad Gateway', status: 502, instance: '/' };

  it('writes JSON', () => {
    expect(JSON.parse(serialize({ ...base, a: 1 }))).toEqual({ ...base, a: 1 });
  });

  it.each([
    [
      'a cycle',
      (() => {
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        return cycle;
      })(),
    ],
    ['a BigInt', 10n],
    [
      'a throwing toJSON',
      {
        toJSON: () => {
          throw new Error('toJSON');
        },
      },
    ],
  ])('keeps the other members, and the traceId, when one holds %s', (_name, value) => {
    const json = JSON.parse(serialize({ ...base, traceId: 't-1', bad: value, good: 1 })) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({ ...base, traceId: 't-1', good: 1 });
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'instance', 'traceId', 'good']),
    );
  });

  it('writes a BigInt as its decimal text and leaves out what leads back into a cycle', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    expect(JSON.parse(serialize({ ...base, big: 10n, cycle }))).toEqual({
      ...base,
      big: '10',
      cycle: { name: 'loop' },
    });
  });
});

describe('finalize', () => {
  it('keeps the standard members and the trace id however many values the extensions before them hold', () => {
    const problem = {
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
      sparse: new Array(20_000),
      traceId: 't-1',
    };
    const final = finalize(problem);
    expect(final).toMatchObject({ type: 'about:blank', title: 'Bad Gateway', status: 502, traceId: 't-1' });
    expect(Object.keys(final)).toEqual(['type', 'title', 'status', 'sparse', 'traceId']);
    expect((final.sparse as unknown[]).length).toBeLessThan(10_000);
    expect(Object.isFrozen(final)).toBe(true);
  });
});

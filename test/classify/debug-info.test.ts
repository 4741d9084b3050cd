import { debugInfo } from '../../src/classify/debug-info';

describe('debugInfo', () => {
  it('takes the message, the stack and the cause chain, outermost first', () => {
    const root = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = new Error('query failed', { cause: new TypeError('fetch failed', { cause: root }) });
    const info = debugInfo(error);
    expect(info.message).toBe('query failed');
    expect(info.stack).toMatch(/^Error: query failed\n/);
    expect(info.causes.map((c) => [c.name, c.message, c.code])).toEqual([
      ['TypeError', 'fetch failed', undefined],
      ['Error', 'connect ECONNREFUSED', 'ECONNREFUSED'],
    ]);
  });

  it('stops at a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(debugInfo(a).causes.map((c) => c.message)).toEqual(['b']);
  });

  it('stops after eight causes', () => {
    let error = new Error('0');
    for (let i = 1; i < 20; i++) error = new Error(String(i), { cause: error });
    expect(debugInfo(error).causes).toHaveLength(8);
  });

  it('describes thrown values that are not errors', () => {
    expect(debugInfo('a string')).toEqual({ message: 'a string', stack: undefined, causes: [] });
    expect(debugInfo(42).message).toBe('42');
    expect(debugInfo({ reason: 'x' }).message).toBe("{ reason: 'x' }");
  });

  it('survives getters and Proxies that throw', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    expect(() => debugInfo(hostile)).not.toThrow();
    expect(debugInfo(hostile).causes).toEqual([]);
  });
});

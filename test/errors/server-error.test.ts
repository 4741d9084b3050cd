import { BadGateway } from '../../src/errors/classes';
import { isServerError, ServerError } from '../../src/errors/server-error';
import { caught } from '../helpers/caught';

describe('ServerError', () => {
  it('builds a status outside the catalog with a generic title', () => {
    const error = new ServerError(509, { detail: 'Quota used up' });
    expect(error).toMatchObject({
      status: 509,
      statusCode: 509,
      name: 'ServerError',
      detail: 'Quota used up',
    });
    expect(new ServerError(520).message).toBe('Server Error');
  });

  it('takes a Retry-After for 503 even from the base class', () => {
    expect(new ServerError(503, { retryAfter: 5 }).headers).toEqual({ 'Retry-After': '5' });
  });

  it.each([
    [499, RangeError],
    [600, RangeError],
    [503.5, RangeError],
    [NaN, RangeError],
    ['503', TypeError],
    [undefined, TypeError],
  ])('refuses the status %p with a %p naming it', (status, Kind) => {
    const error = caught(() => new ServerError(status as number));
    expect(error).toBeInstanceOf(Kind);
    expect(error.code).toBe('ERR_SERVER_ERRORS_INVALID_STATUS');
    expect(error.message).toContain(
      `received ${typeof status === 'string' ? `"${status}"` : String(status)}`,
    );
  });

  it('names the subclass, so a user class reads right in logs', () => {
    class DatabaseDown extends ServerError {
      constructor() {
        super(503, { retryAfter: 30 });
      }
    }
    const error = new DatabaseDown();
    expect(error.name).toBe('DatabaseDown');
    expect(error.stack).toMatch(/^DatabaseDown: Service Unavailable\n/);
  });

  it.each([
    [{ detial: 'x' }, /unknown option "detial"\. Did you mean "detail"\?/],
    [{ retryAfter: 5 }, /unknown option "retryAfter"\..*Retry-After belongs to 501 and 503/],
    [{ detail: 42 }, /options\.detail must be a string; received 42/],
    [{ message: {} }, /options\.message must be a string; received \{\}/],
    [{ type: '' }, /options\.type must be a URI reference/],
    [{ extensions: [] }, /options\.extensions must be a plain object; received \[\]/],
    [{ extensions: { status: 200 } }, /cannot hold "status": it is a standard problem member/],
    [
      { extensions: JSON.parse('{"__proto__":{"x":1}}') },
      /cannot hold "__proto__": it would reach a prototype/,
    ],
    [{ extensions: { toJSON: () => ({}) } }, /cannot hold "toJSON"/],
    [{ headers: 'x' }, /options\.headers must be an object/],
    [{ headers: { 'Bad Name': 'x' } }, /invalid header name "Bad Name"/],
    [{ headers: { 'Content-Type': 'text/html' } }, /cannot set "Content-Type"/],
    [{ headers: { 'X-A': 'a\r\nSet-Cookie: x' } }, /without CR, LF or NUL/],
    [{ headers: { 'X-A': undefined } }, /options\.headers\["X-A"\] must be/],
    [{ headers: { 'Retry-After': 'soon' } }, /delay-seconds or an IMF-fixdate/],
    [42, /options must be an object or a message string; received 42/],
    [null, /received null/],
  ])('refuses the options %p at construction', (options, message) => {
    const error = caught(() => new BadGateway(options as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_SERVER_ERRORS_INVALID_ERROR_OPTION');
    expect(error.message).toMatch(/^BadGateway: /);
    expect(error.message).toMatch(message);
  });

  it('accepts a valid Retry-After header among its headers', () => {
    expect(new BadGateway({ headers: { 'retry-after': '30' } }).headers).toEqual({ 'retry-after': '30' });
  });
});

describe('isServerError', () => {
  it('recognises an error of another copy of the package by its brand', () => {
    const foreign = Object.assign(new Error('x'), { status: 503 });
    Object.defineProperty(foreign, Symbol.for('server-errors.ServerError'), { value: true });
    expect(isServerError(foreign)).toBe(true);
  });

  it.each([null, undefined, 'x', 503, {}, new Error('x')])('says no to %p', (value) => {
    expect(isServerError(value)).toBe(false);
  });

  it('says no, rather than throwing, for a Proxy that throws on every trap', () => {
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
    expect(isServerError(hostile)).toBe(false);
  });
});

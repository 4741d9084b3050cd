import { isRefusal } from '../../src/errors/refusal';
import { parseDrainOptions } from '../../src/lifecycle/drain-options';
import { caught } from '../helpers/caught';

describe('the options of drain()', () => {
  it('defaults to Retry-After: 1, a grace of 10 s, no delay and a detail that says to retry', () => {
    const { grace, delay, refusal } = parseDrainOptions(undefined);
    expect({ grace, delay }).toEqual({ grace: 10_000, delay: 0 });
    expect(refusal).toMatchObject({
      status: 503,
      retryAfter: 1,
      detail: 'The server is shutting down; retry the request.',
      headers: { 'Retry-After': '1' },
    });
    expect(isRefusal(refusal)).toBe(true);
  });

  it('takes its retryAfter, grace, delay and detail', () => {
    const { grace, delay, refusal } = parseDrainOptions({
      retryAfter: 0,
      grace: 0,
      delay: 5000,
      detail: 'Moving house.',
    });
    expect({ grace, delay }).toEqual({ grace: 0, delay: 5000 });
    expect(refusal).toMatchObject({
      retryAfter: 0,
      detail: 'Moving house.',
      headers: { 'Retry-After': '0' },
    });
  });

  it.each([
    [
      { grace: -1 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "grace" must be an integer number of milliseconds from 0 to 2147483647; received -1\./,
    ],
    [{ grace: 1.5 }, RangeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /option "grace" .*; received 1\.5\./],
    [
      { delay: 2 ** 31 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "delay" .*; received 2147483648\./,
    ],
    [
      { delay: '5s' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "delay" must be an integer number of milliseconds .*; received "5s"\./,
    ],
    [
      { retryAfter: -1 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "retryAfter" must be a non-negative, finite number of seconds; received -1\./,
    ],
    [{ retryAfter: Infinity }, RangeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received Infinity\./],
    [
      { detail: '' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "detail" must be a non-empty string; received ""\./,
    ],
    [
      { graec: 100 },
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      /unknown option "graec"\. Did you mean "grace"\? Known options: retryAfter, grace, delay, detail\./,
    ],
    [
      10_000,
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTIONS',
      /the options must be an options object; received 10000\./,
    ],
  ])('refuses %p at start-up with a %p', (options, Kind, code, message) => {
    const error = caught(() => parseDrainOptions(options));
    expect(error).toBeInstanceOf(Kind);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^drain\(\): /);
    expect(error.message).toMatch(message);
  });

  it('explains app.use(drain) written without the call', () => {
    const req = { method: 'GET', url: '/', headers: {}, socket: {} };
    const error = caught(() => parseDrainOptions(req));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_SERVER_ERRORS_NOT_CALLED');
    expect(error.message).toContain('app.use(drain())');
  });
});

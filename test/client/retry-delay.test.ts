import { retryDelay } from '../../src/client/retry-delay';

const MAX_TIMER = 2 ** 31 - 1;
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);

function answer(retryAfter?: string): Response {
  return new Response(null, {
    status: 503,
    headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  });
}

let random: jest.SpyInstance<number, []>;

beforeEach(() => {
  random = jest.spyOn(Math, 'random').mockReturnValue(0);
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => jest.restoreAllMocks());

describe('retryDelay', () => {
  it('turns seconds into milliseconds', () => {
    expect(retryDelay(answer('10'))).toBe(10_000);
    expect(retryDelay(answer('0'))).toBe(0);
  });

  it('waits until an HTTP-date', () => {
    expect(retryDelay(answer('Tue, 01 Jan 2030 12:00:30 GMT'))).toBe(30_000);
  });

  it('waits 0 for an HTTP-date in the past', () => {
    expect(retryDelay(answer('Tue, 01 Jan 2030 11:59:00 GMT'))).toBe(0);
  });

  it.each([
    [undefined],
    [''],
    ['soon'],
    ['-5'],
    ['2.5'],
    ['Tue, 01 Jan 2030 12:00:30 UTC'],
    ['2030-01-01T12:00:30Z'],
  ])('is undefined for a Retry-After of %p', (value) => {
    expect(retryDelay(answer(value))).toBeUndefined();
  });

  it('caps the wait at one minute by default, or at max', () => {
    expect(retryDelay(answer('3600'))).toBe(60_000);
    expect(retryDelay(answer('3600'), { max: 5000 })).toBe(5000);
    expect(retryDelay(answer('Wed, 01 Jan 2031 12:00:00 GMT'), { max: 1000 })).toBe(1000);
    expect(retryDelay(answer('3'), { max: 5000 })).toBe(3000);
  });

  it('adds up to a fifth of the delay at random by default, never less than asked', () => {
    random.mockReturnValue(0.5);
    expect(retryDelay(answer('10'))).toBe(11_000);
    random.mockReturnValue(0.999999);
    expect(retryDelay(answer('10'))).toBe(12_000);
    random.mockReturnValue(0);
    expect(retryDelay(answer('10'))).toBe(10_000);
  });

  it('adds the jitter to the capped wait, so clients told to wait long spread out too', () => {
    random.mockReturnValue(0.5);
    expect(retryDelay(answer('86400'), { max: 10_000, jitter: 1 })).toBe(15_000);
    expect(retryDelay(answer('86400'), { max: 10_000, jitter: 0 })).toBe(10_000);
  });

  it('stays within its bounds for any draw', () => {
    random.mockRestore();
    const delays = Array.from({ length: 200 }, () => retryDelay(answer('10'), { jitter: 0.5 }) as number);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(10_000);
      expect(delay).toBeLessThanOrEqual(15_000);
    }
  });

  it('never waits longer than setTimeout can', () => {
    random.mockReturnValue(0.999999);
    expect(retryDelay(answer('99999999999'), { max: MAX_TIMER, jitter: 1 })).toBe(MAX_TIMER);
  });

  it.each([
    [
      { max: -1 },
      RangeError,
      'option "max" must be a number of milliseconds from 0 to 2147483647; received -1.',
    ],
    [{ max: Infinity }, RangeError, 'received Infinity'],
    [{ max: NaN }, RangeError, 'received NaN'],
    [{ max: MAX_TIMER + 1 }, RangeError, 'received 2147483648'],
    [{ max: '60000' }, TypeError, 'option "max" must be a number of milliseconds'],
    [{ jitter: 1.5 }, RangeError, 'option "jitter" must be a number from 0 to 1; received 1.5.'],
    [{ jitter: -0.1 }, RangeError, 'received -0.1'],
    [{ jitter: true }, TypeError, 'received true'],
    [{ jiter: 0.1 }, TypeError, 'unknown option "jiter". Did you mean "jitter"? Known options: max, jitter.'],
    [null, TypeError, 'the options must be an object; received null.'],
    [5000, TypeError, 'the options must be an object; received 5000.'],
  ])('refuses the options %p with a %p that says why', (options, Kind, message) => {
    const call = () => retryDelay(answer('10'), options as never);
    expect(call).toThrow(Kind);
    expect(call).toThrow(message);
    expect(call).toThrow(/^retryDelay\(\): /);
    expect(call).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_SERVER_ERRORS_/) }));
  });

  it('checks its options even when the response has no Retry-After', () => {
    expect(() => retryDelay(answer(), { max: -1 })).toThrow(RangeError);
  });

  it('refuses what is not a Response', () => {
    expect(() => retryDelay('10' as unknown as Response)).toThrow(TypeError);
  });
});

import { caught } from '../helpers/caught';
import { formatRetryAfter, isRetryAfterValue } from '../../src/http/retry-after';

describe('formatRetryAfter', () => {
  it('sends whole seconds as delay-seconds', () => {
    expect(formatRetryAfter(120)).toBe('120');
    expect(formatRetryAfter(0)).toBe('0');
  });

  it('rounds a fraction up, so the client never retries early', () => {
    expect(formatRetryAfter(119.2)).toBe('120');
    expect(formatRetryAfter(0.001)).toBe('1');
  });

  it('sends a Date as an IMF-fixdate', () => {
    expect(formatRetryAfter(new Date(Date.UTC(2030, 0, 1, 8, 49, 37)))).toBe('Tue, 01 Jan 2030 08:49:37 GMT');
  });

  it('accepts the largest safe number of seconds and the first and last years of an HTTP-date', () => {
    expect(formatRetryAfter(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(formatRetryAfter(new Date(Date.UTC(1900, 0, 1)))).toBe('Mon, 01 Jan 1900 00:00:00 GMT');
    expect(formatRetryAfter(new Date(Date.UTC(9999, 11, 31, 23, 59, 59)))).toBe(
      'Fri, 31 Dec 9999 23:59:59 GMT',
    );
  });

  it.each([
    [-1, RangeError, '-1'],
    [-0.5, RangeError, '-0.5'],
    [NaN, RangeError, 'NaN'],
    [Infinity, RangeError, 'Infinity'],
    [-Infinity, RangeError, '-Infinity'],
    [1e300, RangeError, '1e+300'],
    [new Date('not a date'), RangeError, 'Invalid Date'],
    [new Date(Date.UTC(10000, 0, 1)), RangeError, 'Date(+010000-01-01'],
    // Parsers read a year before 1900 wrongly: "Fri, 31 Dec 0099" comes back as 1999.
    [new Date(Date.UTC(1899, 11, 31, 23, 59, 59)), RangeError, 'Date(1899-12-31T23:59:59'],
    ['120', TypeError, '"120"'],
    [null, TypeError, 'null'],
    [{ seconds: 1 }, TypeError, '{"seconds":1}'],
    [10n, TypeError, '10'],
  ])('rejects %p with a %p that names the value', (value, Kind, shown) => {
    const error = caught(() => formatRetryAfter(value));
    expect(error).toBeInstanceOf(Kind);
    expect(error.code).toBe('ERR_SERVER_ERRORS_INVALID_RETRY_AFTER');
    expect(error.message).toContain(`received ${shown}`);
    expect(error.message).toMatch(/^retryAfter must be/);
  });
});

describe('isRetryAfterValue', () => {
  it.each(['0', '120', 'Fri, 31 Dec 1999 23:59:59 GMT'])('accepts %p', (value) => {
    expect(isRetryAfterValue(value)).toBe(true);
  });

  it.each([
    '',
    '-1',
    '1.5',
    '1e3',
    ' 120',
    'soon',
    'Friday, 31-Dec-99 23:59:59 GMT',
    'Sun Nov  6 08:49:37 1994',
    'Fri, 1 Dec 1999 23:59:59 GMT',
    'x Fri, 31 Dec 1999 23:59:59 GMT',
    'Fri, 31 Dec 1999 23:59:59 GMT x',
    '120\r\nX: y',
  ])('rejects %p', (value) => {
    expect(isRetryAfterValue(value)).toBe(false);
  });
});

import { quantity, retryAfterWords } from '../../src/render/retry-words';

describe('retryAfterWords', () => {
  it.each([
    ['0', '0 seconds'],
    ['1', '1 second'],
    ['59', '59 seconds'],
    ['60', '1 minute'],
    ['90', '1 minute and 30 seconds'],
    ['120', '2 minutes'],
    ['3600', '1 hour'],
    ['3601', '1 hour and 1 minute'],
    ['3661', '1 hour and 2 minutes'],
    ['7199', '2 hours'],
    ['86400', '1 day'],
    ['90000', '1 day and 1 hour'],
    ['604800', '7 days'],
  ])('says %s seconds as "%s", rounding the smaller unit up', (value, words) => {
    expect(retryAfterWords(value)).toEqual({ seconds: Number(value), words });
  });

  it('reads an IMF-fixdate, in words rounded up to the minute', () => {
    expect(retryAfterWords('Tue, 01 Jan 2030 00:00:00 GMT')).toEqual({
      httpDate: 'Tue, 01 Jan 2030 00:00:00 GMT',
      date: new Date(Date.UTC(2030, 0, 1)),
      words: 'Tuesday, 1 January 2030, 00:00 UTC',
    });
    expect(retryAfterWords('Sun, 31 Dec 2079 23:59:01 GMT')?.words).toBe('Monday, 1 January 2080, 00:00 UTC');
  });

  it.each([
    undefined,
    '',
    'soon',
    '-1',
    '1.5',
    '1e3',
    ' 120',
    '99999999999999999999',
    'Tue, 1 Jan 2030 00:00:00 GMT',
  ])('answers undefined for %j, which is no Retry-After a sender may write', (value) => {
    expect(retryAfterWords(value)).toBeUndefined();
  });
});

describe('quantity', () => {
  it('counts in the singular for one only', () => {
    expect([0, 1, 2].map((n) => quantity(n, 'second'))).toEqual(['0 seconds', '1 second', '2 seconds']);
  });
});

import { checkHeader, isHeaderName, toHeaderValue } from '../../src/http/headers';

describe('isHeaderName', () => {
  it.each(['Retry-After', 'x-request-id', "!#$%&'*+-.^_`|~"])('accepts the token %p', (name) => {
    expect(isHeaderName(name)).toBe(true);
  });

  it.each(['', 'Bad Name', ' X-Leading', 'X-Trailing ', 'X:Colon', 'X-Ünicode'])('refuses %p', (name) => {
    expect(isHeaderName(name)).toBe(false);
  });
});

describe('toHeaderValue', () => {
  it('passes text that holds only visible characters, spaces and tabs', () => {
    expect(toHeaderValue('</status>; rel="status"\tx')).toBe('</status>; rel="status"\tx');
  });

  it('sends a finite number as text', () => {
    expect(toHeaderValue(30)).toBe('30');
  });

  it('sends an array of safe values as the list setHeader repeats', () => {
    expect(toHeaderValue(['<a>; rel="a"', 2])).toEqual(['<a>; rel="a"', '2']);
  });

  it.each([
    ['CR and LF', 'a\r\nSet-Cookie: stolen=1'],
    ['a trailing LF', 'a\n'],
    ['a leading NUL', '\0a'],
    ['a non-finite number', Infinity],
    ['an array with one unsafe item', ['ok', 'a\r\nb']],
    ['an array with a nested array', ['ok', ['nested']]],
    ['an object', { a: 1 }],
    ['null', null],
    ['undefined', undefined],
  ])('refuses %s', (_name, value) => {
    expect(toHeaderValue(value)).toBeUndefined();
  });
});

describe('checkHeader', () => {
  it.each(['Origin', 'Origin, Accept-Language', ' Origin ,Cookie ', '*'])('takes the Vary %p', (value) => {
    expect(checkHeader('Vary', value)).toEqual({ value });
  });

  it.each(['a b', 'Accept-Language;q', 'Origin,', ', Origin', ''])(
    'refuses the Vary %p, which is no list of field names',
    (value) => {
      expect(checkHeader('Vary', value)).toEqual({ problem: 'value' });
    },
  );

  it.each([
    ['Trailer', 'X-Sum', 'connection'],
    ['Content-Type', 'text/html', 'own'],
    ['Bad Name', 'x', 'name'],
    ['Retry-After', 'soon', 'retry-after'],
    ['X-Long', 'x'.repeat(4097), 'length'],
  ])('refuses %s: %s as %s', (name, value, problem) => {
    expect(checkHeader(name, value)).toEqual({ problem });
  });
});

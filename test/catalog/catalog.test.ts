import { STATUS_CODES } from 'node:http';

import { catalog, lookupStatus } from '../../src/catalog/catalog';

const titles: ReadonlyArray<readonly [number, string]> = [
  [500, 'Internal Server Error'],
  [501, 'Not Implemented'],
  [502, 'Bad Gateway'],
  [503, 'Service Unavailable'],
  [504, 'Gateway Timeout'],
  [505, 'HTTP Version Not Supported'],
  [506, 'Variant Also Negotiates'],
  [507, 'Insufficient Storage'],
  [508, 'Loop Detected'],
  [510, 'Not Extended'],
  [511, 'Network Authentication Required'],
  [598, 'Network Read Timeout Error'],
  [599, 'Network Connect Timeout Error'],
];

describe('catalog', () => {
  it('holds exactly the server error codes of the seed document', () => {
    expect(Object.keys(catalog).map(Number)).toEqual(titles.map(([status]) => status));
  });

  it.each(titles)('gives %i the reason phrase "%s"', (status, title) => {
    expect(lookupStatus(status)?.title).toBe(title);
    expect(lookupStatus(status)?.status).toBe(status);
  });

  it('agrees with Node on the reason phrase of every standard code', () => {
    for (const entry of Object.values(catalog).filter((e) => e.standard)) {
      expect(entry.title).toBe(STATUS_CODES[entry.status]);
    }
  });

  it('sends Retry-After only for 501 and 503, and no-store only for 503 and 511', () => {
    const retry = Object.values(catalog)
      .filter((e) => e.retryAfter)
      .map((e) => e.status);
    const noStore = Object.values(catalog)
      .filter((e) => e.noStore)
      .map((e) => e.status);
    expect(retry).toEqual([501, 503]);
    expect(noStore).toEqual([503, 511]);
  });

  it.each([500, 501, 502, 503, 504, 505])('defines %i in RFC 9110 §15.6, cited as RFC 7231', (status) => {
    const definition = lookupStatus(status)?.definition;
    expect(definition).toMatchObject({ cited: 'RFC 7231', rfc: 'RFC 9110', section: `15.6.${status - 499}` });
    expect(definition?.url).toBe(`https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.${status - 499}`);
  });

  it.each([
    [506, 'RFC 2295', '8.1', 'Experimental'],
    [507, 'RFC 4918', '11.5', undefined],
    [508, 'RFC 5842', '7.2', 'Experimental'],
    [510, 'RFC 2774', '7', 'Historic'],
    [511, 'RFC 6585', '6', undefined],
  ])('defines %i in %s §%s', (status, rfc, section, rfcStatus) => {
    const definition = lookupStatus(status)?.definition;
    expect(definition).toMatchObject({ cited: rfc, rfc, section });
    expect(definition?.rfcStatus).toBe(rfcStatus);
    expect(definition?.url).toBe(`https://www.rfc-editor.org/rfc/rfc${rfc.slice(4)}.html#section-${section}`);
  });

  it('marks 598 and 599 as non-standard, defined by no RFC', () => {
    for (const status of [598, 599]) {
      expect(lookupStatus(status)).toMatchObject({ standard: false, definition: undefined });
    }
    expect(Object.values(catalog).filter((e) => !e.standard)).toHaveLength(2);
  });

  it('describes every code in a sentence or two of its own', () => {
    const descriptions = Object.values(catalog).map((e) => e.description);
    expect(new Set(descriptions).size).toBe(descriptions.length);
    for (const description of descriptions) expect(description).toMatch(/^[A-Z].{40,200}\.$/);
  });

  it('answers undefined for statuses outside the catalog, including inherited keys', () => {
    expect(lookupStatus(509)).toBeUndefined();
    expect(lookupStatus(404)).toBeUndefined();
    expect(lookupStatus('constructor' as unknown as number)).toBeUndefined();
  });

  it('gives every code a URL slug made of its title', () => {
    expect(catalog[503].slug).toBe('service-unavailable');
    expect(catalog[505].slug).toBe('http-version-not-supported');
    for (const entry of Object.values(catalog)) expect(entry.slug).toMatch(/^[a-z]+(?:-[a-z]+)+$/);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(catalog)).toBe(true);
    expect(Object.isFrozen(catalog[503])).toBe(true);
  });
});

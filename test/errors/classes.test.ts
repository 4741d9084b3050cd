import createError from 'http-errors';

import { catalog } from '../../src/catalog/catalog';
import {
  errorClasses,
  NetworkAuthenticationRequired,
  NotImplemented,
  ServiceUnavailable,
} from '../../src/errors/classes';
import * as api from '../../src/index';
import { ServerError } from '../../src/errors/server-error';
import { caught } from '../helpers/caught';

const classes = Object.entries(errorClasses).map(([status, Class]) => [Number(status), Class] as const);

describe.each(classes)('the %i class', (status, Class) => {
  const error = new Class();

  it('is named after the catalog entry and exported under that name', () => {
    const name = catalog[status as keyof typeof catalog].className;
    expect(Class.name).toBe(name);
    expect(error.name).toBe(name);
    expect((api as Record<string, unknown>)[name]).toBe(Class);
  });

  it('is an Error, a ServerError and its own class', () => {
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toBeInstanceOf(Class);
    expect(api.isServerError(error)).toBe(true);
  });

  it('is an http-errors error that keeps its message private', () => {
    expect(createError.isHttpError(error)).toBe(true);
    expect(error.status).toBe(status);
    expect(error.statusCode).toBe(status);
    expect(error.expose).toBe(false);
    expect(error.headers).toEqual({});
  });

  it('has a stack that starts with its name and points at the code that built it', () => {
    expect(error.stack?.split('\n')[0]).toBe(
      `${Class.name}: ${catalog[status as keyof typeof catalog].title}`,
    );
    expect(error.stack?.split('\n')[1]).toContain('classes.test.ts');
  });

  it('takes detail, message, cause, type, instance, extensions and headers', () => {
    const cause = new Error('root');
    const custom = new Class({
      detail: 'public',
      message: 'internal',
      cause,
      type: 'https://example.com/problems/x',
      instance: '/orders/1',
      extensions: { orderId: 1 },
      headers: { 'X-Trace': 'abc', 'X-Count': 2 },
    });
    expect(custom).toMatchObject({
      detail: 'public',
      message: 'internal',
      cause,
      type: 'https://example.com/problems/x',
      instance: '/orders/1',
      extensions: { orderId: 1 },
      headers: { 'X-Trace': 'abc', 'X-Count': '2' },
    });
  });

  it('takes a string as its internal message', () => {
    expect(new Class('db pool exhausted').message).toBe('db pool exhausted');
    expect(new Class('db pool exhausted').detail).toBeUndefined();
  });

  it('uses the detail, else the title, as the message', () => {
    expect(new Class({ detail: 'Try again' }).message).toBe('Try again');
    expect(error.message).toBe(catalog[status as keyof typeof catalog].title);
  });

  it('has no cause unless one is given', () => {
    expect('cause' in error).toBe(false);
    expect('cause' in new Class({ cause: undefined })).toBe(true);
  });
});

describe.each([
  ['ServiceUnavailable', ServiceUnavailable, 503],
  ['NotImplemented', NotImplemented, 501],
] as const)('%s', (_name, Class, status) => {
  it('takes a number of seconds and sends it as Retry-After', () => {
    const error = new Class(120);
    expect(error.retryAfter).toBe(120);
    expect(error.headers).toEqual({ 'Retry-After': '120' });
    expect(error.status).toBe(status);
  });

  it('takes a Date and sends it as an HTTP-date', () => {
    const when = new Date(Date.UTC(2031, 5, 1, 12, 0, 0));
    const error = new Class(when);
    expect(error.retryAfter).toBe(when);
    expect(error.headers['Retry-After']).toBe('Sun, 01 Jun 2031 12:00:00 GMT');
  });

  it('takes seconds then options, or retryAfter inside the options', () => {
    expect(new Class(120, { detail: 'Back soon' })).toMatchObject({ retryAfter: 120, detail: 'Back soon' });
    expect(new Class({ retryAfter: 120, detail: 'Back soon' })).toMatchObject({
      retryAfter: 120,
      detail: 'Back soon',
      headers: { 'Retry-After': '120' },
    });
  });

  it('rounds a fraction of a second up', () => {
    expect(new Class(0.2).headers['Retry-After']).toBe('1');
  });

  it.each([
    [-1, RangeError],
    [NaN, RangeError],
    [Infinity, RangeError],
    [new Date('nope'), RangeError],
  ])('refuses retryAfter %p at construction with a %p', (value, Kind) => {
    const error = caught(() => new Class(value));
    expect(error).toBeInstanceOf(Kind);
    expect(error.message).toContain(value instanceof Date ? 'Invalid Date' : String(value));
    expect(() => new Class({ retryAfter: value })).toThrow(Kind);
  });

  it('refuses retryAfter given twice', () => {
    expect(() => new Class(1, { retryAfter: 2 } as never)).toThrow(/retryAfter was given twice/);
  });

  it('refuses options after something other than a retryAfter', () => {
    expect(() => new Class('message' as never, { detail: 'x' })).toThrow(TypeError);
  });

  it.each([
    ['120', '120'],
    [' 30 ', '30'],
    ['Tue, 01 Jan 2030 00:00:00 GMT', 'new Date("Tue, 01 Jan 2030 00:00:00 GMT")'],
  ])('refuses the string %p, which reads as a Retry-After, and says what to write', (text, value) => {
    const error = caught(() => new Class(text));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ code: 'ERR_SERVER_ERRORS_INVALID_RETRY_AFTER' });
    expect(error.message).toContain(`Did you mean new ${Class.name}(${value}), or { retryAfter: ${value} }?`);
  });

  it('keeps any other string as the internal message', () => {
    expect(new Class('pool exhausted after 120 tries')).toMatchObject({
      message: 'pool exhausted after 120 tries',
    });
    expect(new Class('pool exhausted').headers).toEqual({});
  });
});

describe('NetworkAuthenticationRequired', () => {
  it('puts the login URL into the problem members', () => {
    const error = new NetworkAuthenticationRequired({ loginUrl: 'https://wifi.example.com/login' });
    expect(error.loginUrl).toBe('https://wifi.example.com/login');
    expect(error.extensions).toEqual({ loginUrl: 'https://wifi.example.com/login' });
  });

  it('keeps the other extensions next to the login URL', () => {
    const error = new NetworkAuthenticationRequired({ loginUrl: '/login', extensions: { venue: 'Gate 12' } });
    expect(error.extensions).toEqual({ venue: 'Gate 12', loginUrl: '/login' });
  });

  it.each([
    'javascript:alert(1)',
    'data:text/html,x',
    '//evil.example/login',
    '/\\evil.example',
    '/a\\b',
    'https://wifi.example/x\\y',
    '/login\u0085',
    '/\tx',
    'login',
    'https://a b',
    42,
  ])('refuses the login URL %p at construction', (loginUrl) => {
    const error = caught(() => new NetworkAuthenticationRequired({ loginUrl: loginUrl as string }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('loginUrl');
    expect(error.message).toContain(JSON.stringify(loginUrl));
  });
});

import { showValue } from '../../src/misuse/show-value';

describe('showValue', () => {
  function named() {}

  it.each([
    ['a string as JSON', 'abc', '"abc"'],
    ['NaN as itself', NaN, 'NaN'],
    ['a BigInt as its digits', 10n, '10'],
    ['a symbol by its description', Symbol('s'), 'Symbol(s)'],
    ['a named function by its name', named, '[function named]'],
    [
      'an anonymous function as a function',
      Object.defineProperty(() => 1, 'name', { value: '' }),
      '[function]',
    ],
    ['undefined through inspect', undefined, 'undefined'],
    [
      'a cycle through inspect',
      (() => {
        const a: Record<string, unknown> = {};
        a.self = a;
        return a;
      })(),
      '<ref *1> { self: [Circular *1] }',
    ],
  ])('shows %s', (_what, value, shown) => {
    expect(showValue(value)).toBe(shown);
  });

  it('cuts JSON longer than 200 characters, and keeps JSON of exactly 200', () => {
    expect(showValue('x'.repeat(300))).toBe(`"${'x'.repeat(199)}…`);
    expect(showValue('x'.repeat(198))).toBe(`"${'x'.repeat(198)}"`);
  });

  it('keeps what inspect shows of a long value short', () => {
    const cyclic: Record<string, unknown> = { text: 'y'.repeat(500), nested: { deeper: { deepest: 1 } } };
    cyclic.self = cyclic;
    expect(showValue(cyclic)).toBe(
      `<ref *1> { text: '${'y'.repeat(200)}'... 300 more characters, nested: { deeper: [Object] }, self: [Circular *1] }`,
    );
  });
});

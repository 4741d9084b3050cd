import { didYouMean } from '../../src/misuse/did-you-mean';

describe('didYouMean', () => {
  const options = ['map', 'log', 'types', 'nonStandard', 'typeBase', 'debug', 'traceId', 'customize'];

  it.each([
    ['a swapped pair of letters', 'cutsomize', 'customize'],
    ['a different case', 'TYPEBASE', 'typeBase'],
    ['three slips in a long name', 'tracingId', 'traceId'],
    ['a longer spelling', 'logger', 'log'],
    ['a three-letter start of a name', 'cus', 'customize'],
  ])('suggests the closest option for %s', (_slip, input, expected) => {
    expect(didYouMean(input, options)).toBe(expected);
  });

  it.each([
    ['a name far from every option', 'zzzzzzzz'],
    ['two letters that only start a name', 'cu'],
    ['no options at all', 'map', []],
  ])('suggests nothing for %s', (_what, input, candidates: readonly string[] = options) => {
    expect(didYouMean(input, candidates)).toBeUndefined();
  });

  it('prefers the first of two equally close options', () => {
    expect(didYouMean('tx', ['ty', 'tz'])).toBe('ty');
  });
});

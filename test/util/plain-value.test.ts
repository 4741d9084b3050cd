import { toPlainObject } from '../../src/util/plain-value';
import { hostileMembers, oversizedMembers } from '../helpers/render-inputs';

describe('toPlainObject', () => {
  it('keeps what JSON keeps, with the same values', () => {
    const value = { s: 'a', n: 1.5, b: false, z: null, a: [1, 'x', null], o: { p: [{}] }, d: new Date(0) };
    expect(JSON.stringify(toPlainObject(value))).toBe(JSON.stringify(value));
  });

  it('leaves out what JSON leaves out, and writes array holes and non-finite numbers as null', () => {
    // eslint-disable-next-line no-sparse-arrays
    const value = { u: undefined, f: () => 1, s: Symbol('s'), a: [undefined, () => 1, , NaN], i: Infinity };
    expect(JSON.stringify(toPlainObject(value))).toBe(JSON.stringify(value));
  });

  it('does not call the toJSON of the object itself, only of its members', () => {
    const value = { toJSON: () => 'replaced', inner: { toJSON: () => 'inner' } };
    expect(JSON.stringify(toPlainObject(value))).toBe('{"inner":"inner"}');
  });

  it('never throws: BigInt as text; cycles, throwing getters, toJSON and Proxies left out', () => {
    const plain = toPlainObject(hostileMembers());
    expect(plain.big).toBe('12345678901234567890');
    expect(plain.cycle).toEqual({ name: 'loop' });
    expect(plain.list).toEqual([1, null]);
    expect(plain.getter).toEqual({ ok: 1 });
    expect(Object.keys(plain)).not.toContain('badJson');
    expect(Object.keys(plain)).not.toContain('proxy');
  });

  it('keeps a shared object that is no cycle', () => {
    const shared = { x: 1 };
    expect(toPlainObject({ a: shared, b: [shared] })).toEqual({ a: { x: 1 }, b: [{ x: 1 }] });
  });

  it('keeps __proto__ as a member and touches no prototype', () => {
    const plain = toPlainObject(JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(Object.getPrototypeOf(plain)).toBeNull();
    expect(Object.keys(plain)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers an empty object for what is no object', () => {
    for (const value of [undefined, null, 1, 'text', [1]]) expect(toPlainObject(value)).toEqual({});
  });

  it('bounds depth, number of values and length of text', () => {
    const plain = toPlainObject(oversizedMembers());
    // Sixteen levels of objects: the root, deep, and fourteen of next.
    expect(JSON.stringify(plain.deep).match(/next/g)).toHaveLength(14);
    expect((plain.wide as unknown[]).length).toBeLessThan(10_000);
    expect(plain.huge).toBeUndefined();
    const huge = toPlainObject({ huge: oversizedMembers().huge }).huge as string;
    expect(huge.length).toBeLessThanOrEqual(1_000_001);
    expect(huge.endsWith('…')).toBe(true);
  });

  it('never cuts a surrogate pair in two', () => {
    const text = toPlainObject({ t: `${'a'.repeat(999_998)}😀😀` }).t as string;
    expect(text).toBe(`${'a'.repeat(999_998)}…`);
  });
});

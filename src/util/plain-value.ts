/** A value every body format can render: what JSON can hold, with no cycles and a bounded size. */
export type PlainValue = string | number | boolean | null | PlainValue[] | PlainObject;

/** A plain object; it has no prototype, so a `__proto__` member is just a member. */
export interface PlainObject {
  [member: string]: PlainValue;
}

/**
 * The bounds of one problem body, in every format. Extensions are the user's
 * data and can be anything: these keep one render small and fast whatever it
 * holds, and under V8's maximum string length even after escaping (at most six
 * characters for one) multiplies it.
 */
export const PLAIN_LIMITS = Object.freeze({
  /** Levels of nested objects and arrays, the problem itself included. */
  depth: 16,
  /** Values in all, members and array items alike. */
  values: 10_000,
  /** Characters of text in all, names and values alike; a longer text is cut and ends in "…". */
  chars: 1_000_000,
});
const { depth: MAX_DEPTH, values: MAX_VALUES, chars: MAX_CHARS } = PLAIN_LIMITS;

const NONE: readonly string[] = [];

interface Budget {
  values: number;
  chars: number;
  /** Members of the root converted before the others, so a large member cannot crowd them out. */
  first: readonly string[];
  /** The objects being converted, from the root down: a cycle leads back to one of them. */
  readonly path: Set<object>;
}

/**
 * The members of an object as plain values, as `JSON.stringify` would see them
 * (`toJSON` honoured, `undefined`, functions and symbols left out, non-finite
 * numbers as `null`), but never throwing: a BigInt becomes its decimal text, and
 * a member that throws, leads back into a cycle or lies too deep is left out.
 * The object's own `toJSON` is not called: its members are what is rendered.
 * Each member is read once, and the result is frozen all the way down, so what
 * a getter answers later can change nothing.
 */
export function toPlainObject(value: unknown, first: readonly string[] = NONE): PlainObject {
  // Converting what this function made gives the same, within the same bounds.
  if (typeof value === 'object' && value !== null && made.has(value)) return value as PlainObject;
  const budget = newBudget();
  budget.first = first;
  const result = convert(value, '', 0, budget, false);
  const plain =
    typeof result === 'object' && result !== null && !Array.isArray(result)
      ? result
      : Object.freeze(Object.create(null) as PlainObject);
  made.add(plain);
  return plain;
}

/** The objects {@link toPlainObject} returned: plain, frozen and within bounds already. */
const made = new WeakSet<object>();

/**
 * Whether an object holds text, finite numbers, booleans and `null` only,
 * within the bounds: what {@link toPlainObject} would make of it is a copy of
 * it. It reads the members of `value`, which must be plain data (no getters):
 * a problem the pipeline built, not a thrown value.
 */
export function isFlatPlain(value: object): boolean {
  const keys = Object.keys(value);
  if (keys.length > MAX_VALUES) return false;
  let chars = 0;
  for (const key of keys) {
    const member = (value as Record<string, unknown>)[key];
    if (typeof member === 'string') chars += member.length;
    else if (
      typeof member === 'number' ? !Number.isFinite(member) : typeof member !== 'boolean' && member !== null
    ) {
      return false;
    }
    chars += key.length;
  }
  return chars <= MAX_CHARS;
}

/**
 * One value as {@link toPlainObject} converts a member, its own `toJSON`
 * honoured; `undefined` for what JSON would leave out.
 */
export function toPlainValue(value: unknown): PlainValue | undefined {
  return convert(value, '', 0, newBudget(), true);
}

function newBudget(): Budget {
  return { values: MAX_VALUES, chars: MAX_CHARS, first: NONE, path: new Set() };
}

function convert(
  value: unknown,
  key: string,
  depth: number,
  budget: Budget,
  callToJSON: boolean,
): PlainValue | undefined {
  if (budget.values <= 0) return undefined;
  budget.values--;
  switch (typeof value) {
    case 'string':
      return clip(value, budget);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return clip(value.toString(), budget);
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH || budget.path.has(value)) return undefined;
  // Every step below can run user code (getters, toJSON, Proxy traps).
  try {
    if (callToJSON) {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return convert(toJSON.call(value, key), key, depth, budget, false);
    }
    budget.path.add(value);
    try {
      return Array.isArray(value)
        ? convertArray(value as unknown[], depth, budget)
        : convertObject(value, depth, budget);
    } finally {
      budget.path.delete(value);
    }
  } catch {
    return undefined;
  }
}

function convertArray(array: readonly unknown[], depth: number, budget: Budget): PlainValue[] {
  const result: PlainValue[] = [];
  for (let i = 0; i < array.length && budget.values > 0; i++) {
    let item: PlainValue | undefined;
    try {
      item = convert(array[i], String(i), depth + 1, budget, true);
    } catch {
      item = undefined;
    }
    // JSON keeps positions: an item it cannot hold is null.
    result.push(item ?? null);
  }
  return Object.freeze(result) as PlainValue[];
}

function convertObject(object: object, depth: number, budget: Budget): PlainObject {
  const keys = Object.keys(object);
  const result: PlainObject = Object.create(null);
  const convertMember = (key: string, into: Record<string, PlainValue | undefined>): void => {
    if (budget.values <= 0 || key.length > budget.chars) return;
    budget.chars -= key.length;
    let member: PlainValue | undefined;
    try {
      member = convert((object as Record<string, unknown>)[key], key, depth + 1, budget, true);
    } catch {
      return;
    }
    if (member !== undefined) into[key] = member;
  };
  const first = depth === 0 ? budget.first.filter((key) => keys.includes(key)) : NONE;
  if (first.length === 0) {
    for (const key of keys) convertMember(key, result);
    return Object.freeze(result);
  }
  const converted: Record<string, PlainValue | undefined> = Object.create(null);
  for (const key of first) convertMember(key, converted);
  for (const key of keys) if (!first.includes(key)) convertMember(key, converted);
  // In the object's own order, whatever was converted first.
  for (const key of keys) {
    const member = converted[key];
    if (member !== undefined) result[key] = member;
  }
  return Object.freeze(result);
}

function clip(text: string, budget: Budget): string {
  const length = Math.min(text.length, budget.chars);
  budget.chars -= length;
  if (length === text.length) return text;
  // Cutting between the halves of a surrogate pair would leave a lone surrogate.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(length - 1)) ? length - 1 : length;
  return `${text.slice(0, end)}…`;
}

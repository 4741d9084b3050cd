/**
 * Reads one property of a request or response without an inline cache, for
 * the guards that run on every request. Express points each request and
 * response at a prototype of the app's own, and V8 then gives every one of
 * them a hidden class of its own: a property read written `req.headers`
 * misses its cache on every request, and V8 works out and caches a handler
 * for a class it will never see again. `Reflect.get` looks the property up
 * without caching anything. Counted by callgrind on objects made as Express
 * makes them: about 1 100 instructions against 240 for a data property such
 * as `httpVersion`, 3 800 against 1 500 for a getter of Node's prototypes such
 * as `headers` (bench/instructions.mjs shows what it saves a request).
 */
export function uncachedGet<T extends object, K extends keyof T & string>(target: T, key: K): T[K] {
  return Reflect.get(target, key) as T[K];
}

import type { ServerResponse } from 'node:http';

import { uncachedGet } from '../util/uncached-get';

/**
 * Whether the response's head is written. Node's `headersSent` is a getter
 * (`!!this._header`) on its prototypes; the own property it reads costs a
 * lookup of about 240 instructions, against 1 500 for the getter (see
 * {@link uncachedGet}). HTTP/2's compatibility response has a `_header`
 * getter that answers `headersSent`.
 */
export function hasStarted(res: ServerResponse): boolean {
  return ownOrGetter(res, '_header', 'headersSent');
}

/** Whether the route has ended the response: `finished`, the own property Node's `writableEnded` getter returns. */
export function hasEnded(res: ServerResponse): boolean {
  return ownOrGetter(res, 'finished', 'writableEnded');
}

/** The own property a getter of Node's returns, or, on a response without it, the getter itself. */
function ownOrGetter(res: ServerResponse, own: string, getter: 'headersSent' | 'writableEnded'): boolean {
  const value: unknown = Reflect.get(res, own);
  return value === undefined ? uncachedGet(res, getter) : Boolean(value);
}

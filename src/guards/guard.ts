import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A guard: a Connect/Express middleware that lets a request through with
 * `next()` or refuses it with `next(error)`, for `serverErrors()` to answer.
 * `Req` is the request type your predicates read, such as Express's `Request`.
 */
export type Guard<Req extends IncomingMessage = IncomingMessage> = (
  req: Req,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

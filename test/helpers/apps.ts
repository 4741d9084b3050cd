import express5 from 'express';
import express4 from 'express4';

/** Both Express majors the package supports, for `describe.each`. */
export const expressVersions: ReadonlyArray<readonly [string, typeof express5]> = [
  ['Express 5', express5],
  ['Express 4', express4],
];

/** Routes `fn` throws from, as Express 4 and 5 both forward synchronous throws. */
export function throwing(value: unknown): express5.RequestHandler {
  return () => {
    throw value;
  };
}

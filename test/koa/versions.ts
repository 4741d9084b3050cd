import Koa3 from 'koa';
import Koa2 from 'koa2';

/** Both Koa majors the package supports, for `describe.each`. */
export const koaVersions: ReadonlyArray<readonly [string, typeof Koa3]> = [
  ['Koa 3', Koa3],
  ['Koa 2', Koa2],
];

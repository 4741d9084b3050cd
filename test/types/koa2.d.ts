// Koa 2 is installed under the alias `koa2` for the tests; its API is what
// these tests use of Koa 3's types.
declare module 'koa2' {
  import Koa = require('koa');
  export = Koa;
}

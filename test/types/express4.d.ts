// Express 4 is installed under the alias `express4` for the tests; its API is
// what these tests use of Express 5's types.
declare module 'express4' {
  import express = require('express');
  export = express;
}

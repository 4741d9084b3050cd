// The ESM entry re-exports the CommonJS build, so `import` and `require` share
// one copy of every class and `instanceof` works across both.
export * from './index.js';

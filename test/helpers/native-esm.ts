import Module from 'node:module';

// Fastify's inject (light-my-request) requires cookie 2, an ES module: Node 20
// loads it through require(), Jest's registry only from Node 24.9. Jest is
// handed the module Node itself loads: the real one, nothing stubbed. Jest's
// `node:module` is a subclass whose createRequire loads through Jest; its
// parent is Node's own. Drop this once the project runs on Node 24.9 or later.
const { createRequire } = Object.getPrototypeOf(Module) as typeof Module;
const fromLightMyRequest = createRequire(require.resolve('light-my-request'));
jest.doMock(fromLightMyRequest.resolve('cookie'), () => fromLightMyRequest('cookie'));

import { createServer } from 'node:http';

import underPressure from '@fastify/under-pressure';
import fastify from 'fastify';

import { burn, WORK_BODY } from '../overload/work.mjs';

/**
 * The Fastify contender of bench/overload.mjs: Fastify 5 with
 * @fastify/under-pressure at `maxEventLoopDelay: 1000`, the figure of its
 * README's example. Variant "plain" leaves the plugin out; it is the server the
 * capacity of the Fastify family is measured on, as "none" is for Express.
 *
 * serve.mjs puts a handler into its own `http.createServer()`, so this returns
 * Fastify's request handler, caught through `serverFactory`; the server Fastify
 * is given back is never listened on. Every contender so runs under the same
 * node:http server settings.
 */
export default async function createHandler(variant = 'under-pressure') {
  if (!['plain', 'under-pressure'].includes(variant))
    throw new Error(`overload-fastify: unknown variant "${variant}"`);
  let handler;
  const app = fastify({
    serverFactory: (fastifyHandler) => {
      handler = fastifyHandler;
      return createServer();
    },
  });
  if (variant === 'under-pressure') await app.register(underPressure, { maxEventLoopDelay: 1000 });
  app.get('/work', async () => {
    burn();
    return WORK_BODY;
  });
  await app.ready();
  return handler;
}

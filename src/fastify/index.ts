import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

import { usageError } from '../misuse/usage-error';
import { parseOptions, type ServerErrorsOptions as Options } from '../options';
import { createPipeline } from '../pipeline';
import { fastifyFacts } from './request-facts';
import { logToRequest } from './request-log';
import { wholeAppPlugin } from './whole-app-plugin';
import { writeReply } from './write';
export { drain, type DrainOptions, type DrainStatus, type FastifyDrain } from './drain';

/**
 * The options of {@link serverErrors} on Fastify: the hooks receive Fastify's request.
 *
 * @example
 * const options: ServerErrorsOptions = { log: (record, request) => request.log.error(record) };
 */
export type ServerErrorsOptions = Options<FastifyRequest>;

const DEFAULTS = { log: logToRequest };
const NOT_FOUND = Object.freeze({ status: 404 });

/**
 * The error layer as a Fastify 5 plugin: from then on anything a route of the
 * app throws, Fastify's own errors (a failed schema validation, a body over
 * `bodyLimit`, an unsupported media type) and its 404 become RFC 9457 problem
 * responses, the same as the Node middleware sends. Each 5xx is logged once,
 * through the request's logger unless `log` says otherwise. Options are checked
 * here, once: a wrong one rejects the `register`.
 *
 * @example
 * await app.register(serverErrors, { typeBase: 'https://api.example.com/problems/' });
 */
export const serverErrors: FastifyPluginAsync<ServerErrorsOptions> = Object.assign(
  // Async, so a refused option rejects the register instead of throwing out of Fastify's loader.
  async function serverErrors(app: FastifyInstance, options: ServerErrorsOptions): Promise<void> {
    if (typeof (app as Partial<FastifyInstance> | undefined)?.setErrorHandler !== 'function') {
      throw usageError(
        TypeError,
        'ERR_SERVER_ERRORS_NOT_CALLED',
        'serverErrors from server-errors/fastify is the plugin itself: register it without calling it, ' +
          'await app.register(serverErrors, options).',
      );
    }
    const handle = createPipeline<FastifyRequest>(parseOptions(options, DEFAULTS));
    const answer = (thrown: unknown, request: FastifyRequest, reply: FastifyReply): void => {
      const facts = fastifyFacts(request, reply);
      if (reply.sent || reply.raw.headersSent) {
        handle(thrown, facts, request);
        // A response cut off half-way can only be closed; one complete (or
        // hijacked by the route) is left alone.
        if (!reply.sent) reply.raw.destroy();
        return;
      }
      handle(thrown, facts, request, (plan) => writeReply(reply, plan));
    };
    app.setErrorHandler(answer);
    app.setNotFoundHandler((request, reply) => answer(NOT_FOUND, request, reply));
  },
  // The handlers are the app's own, not those of an encapsulated child context.
  wholeAppPlugin('server-errors'),
);

import type { FastifyRequest } from 'fastify';

import type { ErrorLogger } from '../options';

/**
 * The default logger on Fastify: the request's own logger (pino, unless the app
 * chose another), so the line carries the request id and goes where the app's
 * logs go. Fastify logs nothing itself for an error a custom error handler
 * answers, so this is the only line for each 5xx.
 *
 * @example
 * parseOptions(options, { log: logToRequest });
 */
export const logToRequest: ErrorLogger<FastifyRequest> = (record, request) => {
  request.log.error(record, 'request failed');
};

import type { IncomingMessage } from 'node:http';

import type * as core from '../options';

/**
 * The options of {@link serverErrors}, whose hooks receive Node's request
 * (`IncomingMessage`, or Express's `Request` when you say so).
 */
export type ServerErrorsOptions<Req = IncomingMessage> = core.ServerErrorsOptions<Req>;

/** Receives one record per 5xx, and the request; see {@link ServerErrorsOptions.log}. */
export type ErrorLogger<Req = IncomingMessage> = core.ErrorLogger<Req>;

/** What {@link ServerErrorsOptions.customize} receives besides the problem. */
export type CustomizeContext<Req = IncomingMessage> = core.CustomizeContext<Req>;

/** Changes a problem before it is written; see {@link ServerErrorsOptions.customize}. */
export type Customize<Req = IncomingMessage> = core.Customize<Req>;

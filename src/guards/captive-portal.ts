import type { IncomingMessage } from 'node:http';

import * as z from 'zod/mini';

import { NetworkAuthenticationRequired, type NetworkAuthenticationRequiredOptions } from '../errors/classes';
import type { Guard } from './guard';
import { checkingGuard } from './guard-check';
import { refusal } from '../errors/refusal';
import { pathMatcher } from './path-match';
import { isLoginUrl } from '../http/urls';
import {
  anyFunction,
  DETAIL_EXPECTED,
  detailOption,
  type OptionsSpec,
  type ShapeOf,
  validateOptions,
} from '../misuse/validate-options';

/** The options of {@link captivePortal}. */
export interface CaptivePortalOptions<Req extends IncomingMessage = IncomingMessage> {
  /**
   * Whether this client has logged in to the network. Called synchronously on
   * every request; anything but `true` gets the 511. Required.
   */
  isAuthenticated: (req: Req) => boolean;
  /**
   * Where the client logs in: an absolute http(s) URL or a path, sent as the
   * problem's `loginUrl` (RFC 6585 §6 asks the 511 to link to it). When it is a
   * path, requests for that path pass, so the login page stays reachable. Required.
   */
  loginUrl: string;
  /** The problem's public `detail`. Defaults to `"Log in to the network to continue."`. */
  detail?: string;
}

const schema = () =>
  z.strictObject({
    isAuthenticated: anyFunction(),
    loginUrl: z.string().check(z.refine(isLoginUrl)),
    detail: detailOption(),
  });

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'captivePortal',
  schema,
  expected: {
    isAuthenticated: 'a function (req) => boolean',
    loginUrl: 'an absolute http(s) URL or a path starting with "/"',
    detail: DETAIL_EXPECTED,
  },
};

/**
 * Answers 511 Network Authentication Required, with the `loginUrl` in the
 * problem and `Cache-Control: no-store`, to every client that has not logged in
 * to the network. For the intercepting gateway of a captive portal: RFC 6585 §6
 * says origin servers should not send 511 (an app's own login is a 401).
 * `serverErrors()` writes the answer; add it after your routes.
 *
 * @example
 * app.use(captivePortal({ isAuthenticated: (req) => sessions.has(req.socket.remoteAddress), loginUrl: '/login' }));
 */
export function captivePortal<Req extends IncomingMessage = IncomingMessage>(
  options: CaptivePortalOptions<Req>,
): Guard<Req> {
  const {
    isAuthenticated,
    loginUrl,
    detail = 'Log in to the network to continue.',
  } = validateOptions(spec, options) as CaptivePortalOptions<Req>;
  // The login page stays reachable however the router would route to it.
  const isLoginPage = loginUrl.startsWith('/') ? pathMatcher([loginUrl.replace(/[?#].*$/s, '')]) : undefined;
  const errorOptions: NetworkAuthenticationRequiredOptions = Object.freeze({
    loginUrl,
    detail,
    message: 'captivePortal(): not logged in to the network',
  });

  return checkingGuard<Req>(function captivePortalCheck(req) {
    if (isAuthenticated(req) === true) return undefined;
    if (isLoginPage?.(req) === true) return undefined;
    return refusal(new NetworkAuthenticationRequired(errorOptions));
  });
}

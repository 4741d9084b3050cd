/**
 * Where a status code is defined: the RFC the source catalog names, and the
 * document that defines it today (RFC 7231 was obsoleted by RFC 9110).
 */
export interface Definition {
  /** The RFC the source catalog cites, e.g. `"RFC 7231"`. */
  readonly cited: string;
  /** The RFC that defines the code today, e.g. `"RFC 9110"`. */
  readonly rfc: string;
  /** The section of {@link Definition.rfc} that defines the code, e.g. `"15.6.4"`. */
  readonly section: string;
  /** A link to that section. */
  readonly url: string;
  /** The RFC's status where it is not a standards-track document, e.g. `"Historic"`. */
  readonly rfcStatus?: 'Experimental' | 'Historic';
}

/** One server error status code and everything the pipeline needs to answer with it. */
export interface CatalogEntry {
  readonly status: number;
  /** The reason phrase; also the problem `title` and the status line's text. */
  readonly title: string;
  /** The name of the error class that raises this status. */
  readonly className: string;
  /** The title in kebab case, the last segment of the `typeBase` URL: `"service-unavailable"`. */
  readonly slug: string;
  /** One short paragraph for humans. */
  readonly description: string;
  /** `undefined` for the codes no RFC defines (598, 599). */
  readonly definition: Definition | undefined;
  /** Registered in the IANA HTTP Status Code Registry. */
  readonly standard: boolean;
  /** The error class accepts a `retryAfter` and sends it as `Retry-After`. */
  readonly retryAfter: boolean;
  /** The response always carries `Cache-Control: no-store`. */
  readonly noStore: boolean;
}

function rfc9110(section: string): Definition {
  return {
    cited: 'RFC 7231',
    rfc: 'RFC 9110',
    section,
    url: `https://www.rfc-editor.org/rfc/rfc9110.html#section-${section}`,
  };
}

function rfc(number: number, section: string, rfcStatus?: Definition['rfcStatus']): Definition {
  const name = `RFC ${number}`;
  return {
    cited: name,
    rfc: name,
    section,
    url: `https://www.rfc-editor.org/rfc/rfc${number}.html#section-${section}`,
    ...(rfcStatus === undefined ? {} : { rfcStatus }),
  };
}

const entries: ReadonlyArray<Omit<CatalogEntry, 'slug'>> = [
  {
    status: 500,
    title: 'Internal Server Error',
    className: 'InternalServerError',
    description:
      'Something unexpected went wrong on the server and no more specific code fits. The catch-all for bugs and unforeseen failures.',
    definition: rfc9110('15.6.1'),
    standard: true,
    retryAfter: false,
    noStore: false,
  },
  {
    status: 501,
    title: 'Not Implemented',
    className: 'NotImplemented',
    description:
      'The server does not support what the request needs, such as a request method it does not recognise. Retry-After may say when it will.',
    definition: rfc9110('15.6.2'),
    standard: true,
    retryAfter: true,
    noStore: false,
  },
  {
    status: 502,
    title: 'Bad Gateway',
    className: 'BadGateway',
    description:
      'Acting as a gateway or proxy, the server got an invalid response, or none at all, from the upstream server it called.',
    definition: rfc9110('15.6.3'),
    standard: true,
    retryAfter: false,
    noStore: false,
  },
  {
    status: 503,
    title: 'Service Unavailable',
    className: 'ServiceUnavailable',
    description:
      'The server cannot handle the request for now, because it is overloaded or down for maintenance. Retry-After says when to come back.',
    definition: rfc9110('15.6.4'),
    standard: true,
    retryAfter: true,
    noStore: true,
  },
  {
    status: 504,
    title: 'Gateway Timeout',
    className: 'GatewayTimeout',
    description:
      'Acting as a gateway or proxy, the server did not get an answer in time from the upstream server it called.',
    definition: rfc9110('15.6.5'),
    standard: true,
    retryAfter: false,
    noStore: false,
  },
  {
    status: 505,
    title: 'HTTP Version Not Supported',
    className: 'HTTPVersionNotSupported',
    description:
      'The server does not support the major HTTP version of the request; the response should say which versions it does support.',
    definition: rfc9110('15.6.6'),
    standard: true,
    retryAfter: false,
    noStore: false,
  },
  {
    status: 506,
    title: 'Variant Also Negotiates',
    className: 'VariantAlsoNegotiates',
    description:
      'A server configuration error in transparent content negotiation: the chosen variant itself negotiates, so it is not a proper end point.',
    definition: rfc(2295, '8.1', 'Experimental'),
    standard: true,
    retryAfter: false,
    noStore: false,
  },
  {
    status: 507,
    title: 'Insufficient Storage',
    className: 'InsufficientStorage',
    description:
      'The server cannot store what it needs to complete the request, such as when its disk or quota is full. Considered temporary.',
    definition: rfc(4918, '11.5'),
    standard: true,
    retryAfter: false,
    noStore: false,
  },
  {
    status: 508,
    title: 'Loop Detected',
    className: 'LoopDetected',
    description:
      'The server stopped because it found an infinite loop while processing the request, so the whole operation failed.',
    definition: rfc(5842, '7.2', 'Experimental'),
    standard: true,
    retryAfter: false,
    noStore: false,
  },
  {
    status: 510,
    title: 'Not Extended',
    className: 'NotExtended',
    description:
      'The request does not meet the policy for the HTTP extensions the resource requires (HTTP Extension Framework, now Historic).',
    definition: rfc(2774, '7', 'Historic'),
    standard: true,
    retryAfter: false,
    noStore: false,
  },
  {
    status: 511,
    title: 'Network Authentication Required',
    className: 'NetworkAuthenticationRequired',
    description:
      'The client must authenticate to gain network access, as captive portals ask; the response links to the login page and is never cached.',
    definition: rfc(6585, '6'),
    standard: true,
    retryAfter: false,
    noStore: true,
  },
  {
    status: 598,
    title: 'Network Read Timeout Error',
    className: 'NetworkReadTimeout',
    description:
      'Not in any RFC: some proxies use it when reading from the server behind them timed out. Clients treat it as a 500.',
    definition: undefined,
    standard: false,
    retryAfter: false,
    noStore: false,
  },
  {
    status: 599,
    title: 'Network Connect Timeout Error',
    className: 'NetworkConnectTimeout',
    description:
      'Not in any RFC: some proxies use it when connecting to the server behind them timed out. Clients treat it as a 500.',
    definition: undefined,
    standard: false,
    retryAfter: false,
    noStore: false,
  },
];

/** The statuses of the catalog, as a type. */
export type CatalogStatus = 500 | 501 | 502 | 503 | 504 | 505 | 506 | 507 | 508 | 510 | 511 | 598 | 599;

/**
 * The server error catalog, keyed by status. Read-only data: titles, type URIs,
 * header policies and the README table all come from here.
 *
 * @example
 * catalog[503].title // "Service Unavailable"
 */
export const catalog: Readonly<Record<CatalogStatus, CatalogEntry>> = Object.freeze(
  Object.fromEntries(
    entries.map((entry) => [
      entry.status,
      Object.freeze({ ...entry, slug: entry.title.toLowerCase().replaceAll(' ', '-') }),
    ]),
  ) as Record<CatalogStatus, CatalogEntry>,
);

/**
 * The catalog entry for a status, or `undefined` when the status is not in it.
 *
 * @example
 * lookupStatus(511)?.noStore // true
 */
export function lookupStatus(status: number): CatalogEntry | undefined {
  return Object.hasOwn(catalog, status) ? catalog[status as CatalogStatus] : undefined;
}

/**
 * The sections of RFC 9110 §15.5 that define the 4xx codes, so a client error
 * that reaches the handler gets a `type` link like the server errors do.
 * Codes defined elsewhere (429, 451, …) get `about:blank`.
 */
const RFC_9110_CLIENT_SECTIONS: Readonly<Record<number, string>> = {
  400: '15.5.1',
  401: '15.5.2',
  402: '15.5.3',
  403: '15.5.4',
  404: '15.5.5',
  405: '15.5.6',
  406: '15.5.7',
  407: '15.5.8',
  408: '15.5.9',
  409: '15.5.10',
  410: '15.5.11',
  411: '15.5.12',
  412: '15.5.13',
  413: '15.5.14',
  414: '15.5.15',
  415: '15.5.16',
  416: '15.5.17',
  417: '15.5.18',
  421: '15.5.20',
  422: '15.5.21',
  426: '15.5.22',
};

/** The RFC 9110 link for a 4xx status it defines, else `undefined`. */
export function clientErrorSpecUrl(status: number): string | undefined {
  const section = Object.hasOwn(RFC_9110_CLIENT_SECTIONS, status)
    ? RFC_9110_CLIENT_SECTIONS[status]
    : undefined;
  return section === undefined ? undefined : `https://www.rfc-editor.org/rfc/rfc9110.html#section-${section}`;
}

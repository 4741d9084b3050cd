import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';

/** A response as Node's own client reads it: lower-case header names, the body as text. */
export interface PlainResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/** Node's parsed response headers with each repeated one joined, as a client reads them. */
export function flatHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/**
 * Sends one request with Node's own client: fetch has rules of its own for some
 * statuses (a 407 is a network error, a 421 is retried), and Node's parser
 * refuses a header section over 16 KiB, as Node and undici clients do.
 */
export function send(
  url: string,
  {
    method = 'GET',
    headers = {},
    timeout = 10_000,
  }: { method?: string; headers?: Record<string, string>; timeout?: number } = {},
): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)));
    req.on('error', reject);
    req.end();
  });
}

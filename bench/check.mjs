import { get } from 'node:http';

/**
 * Sends one request and compares the answer with what the contender promises,
 * so that a server that is fast because it answers wrongly is reported, not timed.
 * Resolves to `{ wrong }` with the reason, or to what the response looked like.
 */
export async function checkResponse(port, { path, expect }) {
  const { status, headers, body } = await fetchOnce(port, path);
  const type = headers['content-type'] ?? '';
  const wrong = (reason) => ({ wrong: `${reason} (got ${status}, ${type || 'no content type'})` });
  if (status !== expect.status) return wrong(`status is not ${expect.status}`);
  if (expect.retryAfter !== undefined && headers['retry-after'] !== expect.retryAfter)
    return wrong(`Retry-After is ${JSON.stringify(headers['retry-after'])}, not ${expect.retryAfter}`);
  if (expect.body === 'problem' && !type.startsWith('application/problem+json'))
    return wrong('content type is not application/problem+json');
  if (expect.body === 'problem' || expect.body === 'json') {
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      return wrong('body is not JSON');
    }
    // RFC 9457 §3.1.2: the status member, when present, must match the response.
    if (expect.body === 'problem' && parsed.status !== status) return wrong('problem status differs');
  }
  if (body.length === 0) return wrong('body is empty');
  return {
    contentType: type,
    bytes: Buffer.byteLength(body),
    cacheControl: headers['cache-control'] ?? '',
    nosniff: headers['x-content-type-options'] === 'nosniff',
  };
}

function fetchOnce(port, path) {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject);
  });
}

import type { Response } from 'supertest';

/** The parsed problem body of a response, asserting it is RFC 9457 JSON. */
export function problemOf(res: Response): Record<string, unknown> {
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const body = JSON.parse(res.text) as Record<string, unknown>;
  expect(body.status).toBe(res.status);
  return body;
}

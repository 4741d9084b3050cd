import express from 'express';

import { catalog, type CatalogEntry } from '../../src/catalog/catalog';
import { parseProblem } from '../../src/client/parse-problem';
import { problemSchema } from '../../src/describe/problem-schema';
import { errorClasses, NetworkAuthenticationRequired } from '../../src/errors/classes';
import type { RetryAfter } from '../../src/http/retry-after';
import type { ServerError } from '../../src/errors/server-error';
import { serverErrors } from '../../src/node/middleware';
import { closeServers, listenLocally, urlOf } from '../helpers/local-server';

// Every format that has a parser in the client.
const FORMATS = ['application/problem+json', 'application/problem+xml'];

// Text, nested objects and arrays: what survives every format (XML has no numbers).
const EXTENSIONS = { orderId: 'A-17', links: { help: '/help', status: '/status' }, tags: ['retry', 'later'] };

interface Case {
  readonly entry: CatalogEntry;
  readonly retryAfter: RetryAfter | undefined;
}

const cases: Case[] = Object.values(catalog).flatMap((entry): Case[] =>
  entry.retryAfter
    ? [
        { entry, retryAfter: 120 },
        { entry, retryAfter: new Date(Date.UTC(2030, 0, 1, 6)) },
      ]
    : [{ entry, retryAfter: undefined }],
);

/** The error the route throws for one case: its class, a detail, extensions and the status's own members. */
function thrown({ entry, retryAfter }: Case): ServerError {
  const detail = `Case ${entry.status}: shown to the client.`;
  if (entry.retryAfter) {
    const Class = errorClasses[entry.status as 501 | 503];
    return new Class(retryAfter as RetryAfter, { detail, extensions: EXTENSIONS });
  }
  if (entry.status === 511) {
    return new NetworkAuthenticationRequired({ detail, extensions: EXTENSIONS, loginUrl: '/login' });
  }
  const extensions = entry.status === 505 ? { ...EXTENSIONS, supported: ['1.1', '2.0'] } : EXTENSIONS;
  const Class = errorClasses[entry.status as keyof typeof errorClasses] as new (
    options: object,
  ) => ServerError;
  return new Class({ detail, extensions });
}

let base: string;

beforeAll(async () => {
  const app = express();
  app.get('/case/:index', (req) => {
    throw thrown(cases[Number(req.params.index)] as Case);
  });
  app.use(serverErrors({ log: false }));
  base = urlOf(await listenLocally(app));
});

afterAll(closeServers);

describe.each(FORMATS)('a problem thrown, sent as %s and read back by parseProblem', (accept) => {
  it.each(cases.map((testCase, index) => [testCase.entry.status, testCase.retryAfter, index] as const))(
    'keeps the class, status, detail, extensions and Retry-After of a %i (retryAfter %p)',
    async (_status, _retryAfter, index) => {
      const original = thrown(cases[index] as Case);
      const response = await fetch(`${base}/case/${index}`, { headers: { accept } });
      expect(response.headers.get('content-type')).toMatch(new RegExp(`^${accept.replace('+', '\\+')};`));
      const parsed = await parseProblem(response);
      expect(parsed?.constructor).toBe(original.constructor);
      expect(parsed).toMatchObject({
        status: original.status,
        detail: original.detail,
        retryAfter: original.retryAfter,
        headers: original.headers,
        extensions: { ...original.extensions, traceId: expect.stringMatching(/^[0-9a-f]{32}$/) },
      });
      expect(Object.keys(parsed?.extensions ?? {}).sort()).toEqual(
        [...Object.keys(original.extensions ?? {}), 'traceId'].sort(),
      );
      if (original instanceof NetworkAuthenticationRequired) {
        expect((parsed as NetworkAuthenticationRequired).loginUrl).toBe(original.loginUrl);
      }
    },
  );
});

it('sends bodies the problem schema accepts, for every case', async () => {
  for (const [index] of cases.entries()) {
    const response = await fetch(`${base}/case/${index}`);
    expect(problemSchema.safeParse(await response.json()).success).toBe(true);
  }
});

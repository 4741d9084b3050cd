import { validate } from '@readme/openapi-parser';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { createDocument } from 'zod-openapi';

import { catalog } from '../../src/catalog/catalog';
import { readProblemXml } from '../../src/client/problem-xml';
import { problemSchema } from '../../src/describe/problem-schema';
import { PROBLEM_MEMBERS, TRACE_ID_MEMBER } from '../../src/http/problem-members';
import { problemComponents } from '../../src/openapi/components';
import { FORMATS } from '../../src/render/formats';

const entries = Object.values(catalog);

/** An OpenAPI 3.1 document of one route that answers 200 or any catalog status. */
function documentWith(components: object): Record<string, unknown> {
  const responses: Record<string, unknown> = { '200': { description: 'The orders.' } };
  for (const entry of entries)
    responses[String(entry.status)] = { $ref: `#/components/responses/${entry.className}` };
  return {
    openapi: '3.1.0',
    info: { title: 'Orders', version: '1.0.0' },
    paths: { '/orders': { get: { operationId: 'listOrders', responses } } },
    components,
  };
}

async function expectValid(document: unknown): Promise<void> {
  const result = await validate(structuredClone(document) as never);
  expect(result.valid ? [] : result.errors).toEqual([]);
}

describe('problemComponents', () => {
  const { schemas, responses } = problemComponents();

  it('has one response per catalog status, keyed by class name, described as the catalog describes it', () => {
    expect(Object.keys(responses)).toEqual(entries.map((entry) => entry.className));
    for (const entry of entries) expect(responses[entry.className]?.description).toBe(entry.description);
  });

  it('lists every content type the negotiation answers, the problem formats with the Problem schema', () => {
    for (const entry of entries) {
      const content = responses[entry.className]?.content ?? {};
      expect(Object.keys(content)).toEqual(Object.keys(FORMATS));
      for (const type of [
        'application/problem+json',
        'application/json',
        'application/problem+xml',
        'application/xml',
      ]) {
        expect(content[type]?.schema).toEqual({ $ref: '#/components/schemas/Problem' });
      }
      expect(content['text/plain']?.schema).toEqual({ type: 'string' });
    }
  });

  it('sends Retry-After with 501 and 503, and no-store with 503 and 511 always, with 501 when it retries', () => {
    const headers = (className: string) => responses[className]?.headers ?? {};
    expect(headers('NotImplemented')['Retry-After']).toMatchObject({ required: false, example: '120' });
    expect(headers('ServiceUnavailable')['Retry-After']).toMatchObject({ required: false });
    expect(headers('ServiceUnavailable')['Cache-Control']).toMatchObject({
      required: true,
      schema: { const: 'no-store' },
    });
    expect(headers('NetworkAuthenticationRequired')['Cache-Control']).toMatchObject({ required: true });
    expect(headers('NotImplemented')['Cache-Control']).toMatchObject({ required: false });
    for (const entry of entries) {
      const own = headers(entry.className);
      expect('Retry-After' in own).toBe(entry.retryAfter);
      expect(own['Cache-Control']?.required ?? false).toBe(entry.noStore);
    }
    expect(headers('BadGateway')).toEqual({
      'Content-Security-Policy': expect.objectContaining({ required: false }),
    });
  });

  it('shows for every status the problem the server sends, in each format', () => {
    for (const entry of entries) {
      const content = responses[entry.className]?.content ?? {};
      const example = content['application/problem+json']?.example as Record<string, unknown>;
      expect(example).toMatchObject({
        type: entry.definition?.url ?? 'about:blank',
        title: entry.title,
        status: entry.status,
      });
      expect(problemSchema.safeParse(example).success).toBe(true);
      expect(readProblemXml(content['application/problem+xml']?.example as string)).toEqual(example);
      expect(content['text/plain']?.example).toMatch(new RegExp(`^${entry.status} ${entry.title}\n`));
      expect(content['text/html']).not.toHaveProperty('example');
    }
    const example = (className: string) => responses[className]?.content['application/json']?.example;
    expect(example('NetworkAuthenticationRequired')).toMatchObject({
      loginUrl: 'https://wifi.example.com/login',
    });
    expect(example('HTTPVersionNotSupported')).toMatchObject({ supported: ['1.1', '2.0'] });
    expect(responses.ServiceUnavailable?.content['text/plain']?.example).toContain(
      'Retry after 120 seconds.',
    );
  });

  it('uses typeBase and types in the examples, as serverErrors() does', () => {
    const type = (options: Parameters<typeof problemComponents>[0], className: string) =>
      (
        problemComponents(options).responses[className]?.content['application/json']?.example as {
          type: string;
        }
      ).type;
    expect(type({ typeBase: 'https://api.example.com/problems' }, 'ServiceUnavailable')).toBe(
      'https://api.example.com/problems/service-unavailable',
    );
    expect(type({ typeBase: 'https://api.example.com/problems/' }, 'NetworkReadTimeout')).toBe(
      'https://api.example.com/problems/network-read-timeout-error',
    );
    expect(type({ types: 'about:blank' }, 'BadGateway')).toBe('about:blank');
  });

  it('describes the RFC 9457 members, the traceId and the catalog’s extensions, any other member allowed', () => {
    const { properties, required, additionalProperties } = schemas.Problem as {
      properties: Record<string, { type: string }>;
      required: string[];
      additionalProperties: unknown;
    };
    expect(Object.keys(properties)).toEqual([...PROBLEM_MEMBERS, TRACE_ID_MEMBER, 'supported', 'loginUrl']);
    expect(required).toEqual(['type', 'title', 'status']);
    expect(properties.status?.type).toBe('integer');
    expect(additionalProperties).toEqual({});
    expect(schemas.Problem).not.toHaveProperty('$schema');
    expect(schemas.Problem.xml).toEqual({ name: 'problem', namespace: 'urn:ietf:rfc:7807' });
    expect(properties.supported).toMatchObject({ xml: { wrapped: true }, items: { xml: { name: 'i' } } });
  });

  it('generates schemas.Problem from the zod schema: a member added there appears in it', () => {
    jest.isolateModules(() => {
      jest.doMock('../../src/describe/problem-schema', () => {
        const actual = jest.requireActual<typeof import('../../src/describe/problem-schema')>(
          '../../src/describe/problem-schema',
        );
        return {
          ...actual,
          problemSchema: zm.extend(actual.problemSchema, { tenant: zm.optional(zm.string()) }),
        };
      });
      const generate = (
        require('../../src/openapi/components') as typeof import('../../src/openapi/components')
      ).problemComponents;
      const { properties } = generate().schemas.Problem as { properties: Record<string, unknown> };
      expect(properties.tenant).toEqual({ type: 'string' });
    });
    jest.dontMock('../../src/describe/problem-schema');
  });

  it('returns new objects on every call', () => {
    const first = problemComponents();
    (first.schemas.Problem as { title: string }).title = 'Changed';
    delete first.responses.ServiceUnavailable;
    const second = problemComponents();
    expect(second.schemas.Problem.title).toBe('Problem');
    expect(second.responses.ServiceUnavailable).toBeDefined();
  });

  it.each([
    [
      { typeBase: 'ftp://example.com/' },
      TypeError,
      'problemComponents(): option "typeBase" must be an absolute http(s) URL',
    ],
    [{ types: 'rfc' }, TypeError, 'problemComponents(): option "types" must be "spec" or "about:blank"'],
    [{ typebase: 'https://x.example/' }, TypeError, 'unknown option "typebase". Did you mean "typeBase"?'],
  ])('refuses %p', (options, Kind, message) => {
    expect(() => problemComponents(options as never)).toThrow(Kind);
    expect(() => problemComponents(options as never)).toThrow(message);
  });
});

describe('an OpenAPI 3.1 document that uses them', () => {
  it('is valid', async () => {
    await expectValid(documentWith(problemComponents({ typeBase: 'https://api.example.com/problems/' })));
  });

  it('is checked by a validator that finds what is wrong', async () => {
    const broken = documentWith(problemComponents()) as {
      components: { responses: Record<string, unknown> };
    };
    broken.components.responses.ServiceUnavailable = { content: {} };
    const result = await validate(structuredClone(broken) as never);
    expect(result.valid).toBe(false);
  });

  it('is valid when zod-openapi builds it, beside the routes’ own zod schemas', async () => {
    const document = createDocument({
      openapi: '3.1.0',
      info: { title: 'Orders', version: '1.0.0' },
      paths: {
        '/orders': {
          get: {
            responses: {
              '200': {
                description: 'The orders.',
                content: { 'application/json': { schema: z.array(z.object({ id: z.string() })) } },
              },
              '503': { $ref: '#/components/responses/ServiceUnavailable' },
            },
          },
        },
      },
      components: problemComponents(),
    });
    expect(document.components?.responses?.ServiceUnavailable).toEqual(
      problemComponents().responses.ServiceUnavailable,
    );
    expect(document.components?.schemas?.Problem).toEqual(problemComponents().schemas.Problem);
    await expectValid(document);
  });
});

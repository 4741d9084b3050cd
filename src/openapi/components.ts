import { PROBLEM_XML } from '../http/media-types';
import * as z from 'zod/mini';

import { catalog, type CatalogEntry, type CatalogStatus } from '../catalog/catalog';
import type { Problem } from '../describe/problem';
import { CATALOG_EXTENSIONS, problemSchema } from '../describe/problem-schema';
import { type StatusPlan, statusPlanner, type TypeScheme } from '../describe/status-plan';
import { TRACE_ID_MEMBER } from '../http/problem-members';
import { isHttpUrl } from '../http/urls';
import { type OptionsSpec, type ShapeOf, validateOptions } from '../misuse/validate-options';
import { FORMATS, type Format, PROBLEM_JSON } from '../render/formats';
import type { RenderInput } from '../render/renderer';
import { isNoStore } from '../render/response';
import { renderXml } from '../render/xml';

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) as plain data. */
export interface JsonSchema {
  [keyword: string]: unknown;
}

// Type aliases, not interfaces: only those are assignable to the index
// signatures (`x-…` extensions) of OpenAPI libraries' own types, zod-openapi's.

/** An OpenAPI 3.1 Header Object. */
export type ProblemHeader = {
  description: string;
  required: boolean;
  schema: JsonSchema;
  example?: string;
};

/** An OpenAPI 3.1 Media Type Object: the schema of one body format and an example of it. */
export type ProblemMediaType = {
  schema: JsonSchema;
  example?: unknown;
};

/** An OpenAPI 3.1 Response Object for one catalog status. */
export type ProblemResponse = {
  description: string;
  headers: Record<string, ProblemHeader>;
  content: Record<string, ProblemMediaType>;
};

/** What {@link problemComponents} returns: the `schemas` and `responses` of an OpenAPI `components` object. */
export type ProblemComponents = {
  schemas: { Problem: JsonSchema };
  /** By class name: `ServiceUnavailable` for 503. */
  responses: Record<string, ProblemResponse>;
};

/** The options of {@link problemComponents}: those of `serverErrors()` that decide the examples' `type`. */
export interface ProblemComponentsOptions {
  /**
   * The `typeBase` your `serverErrors()` uses, so the examples show the `type`
   * your clients receive (`…/problems/service-unavailable`). Defaults to none.
   */
  typeBase?: string;
  /** The `types` your `serverErrors()` uses. Defaults to `'spec'`. */
  types?: TypeScheme;
}

const schema = () =>
  z.strictObject({
    typeBase: z.optional(z.string().check(z.refine(isHttpUrl))),
    types: z.optional(z.enum(['spec', 'about:blank'])),
  } satisfies Record<keyof ProblemComponentsOptions, z.ZodMiniType>);

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'problemComponents',
  schema,
  expected: {
    typeBase: 'an absolute http(s) URL such as "https://api.example.com/problems/"',
    types: '"spec" or "about:blank"',
  },
};

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

// The values the examples show where an occurrence would have its own.
const EXAMPLE_INSTANCE = '/orders';
const EXAMPLE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const EXAMPLE_RETRY_AFTER = '120';

/**
 * OpenAPI 3.1 `components` for the problems `serverErrors()` sends, to merge
 * into your document: `schemas.Problem`, generated from the package's own zod
 * schema of a problem, and one entry in `responses` per catalog status, keyed
 * by class name, with the catalog's description, every content type the
 * negotiation can answer (an example of each but the HTML page) and the headers
 * the status carries. Returns new objects on every call: change them freely.
 *
 * @example
 * responses: { '503': { $ref: '#/components/responses/ServiceUnavailable' } }, components: problemComponents()
 */
export function problemComponents(options?: ProblemComponentsOptions): ProblemComponents {
  const { typeBase, types = 'spec' } = validateOptions(spec, options);
  const plan = statusPlanner(types, typeBase);
  const Problem = problemJsonSchema();
  const responses: Record<string, ProblemResponse> = {};
  for (const entry of Object.values(catalog)) {
    responses[entry.className] = responseOf(entry, exampleOf(entry, plan(entry.status), Problem));
  }
  return { schemas: { Problem }, responses };
}

/** `schemas.Problem`: zod's own conversion of the problem schema, with how the XML format writes it. */
function problemJsonSchema(): JsonSchema {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(problemSchema, {
    target: 'draft-2020-12',
  }) as JsonSchema;
  // OpenAPI's XML Object (3.1 §4.8.26), as RFC 9457 Appendix B and the renderer write it.
  schema.xml = { name: PROBLEM_XML.root, namespace: PROBLEM_XML.namespace };
  markArrays(schema);
  return schema;
}

/** Arrays go out as one element holding an `<i>` per item. */
function markArrays(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as JsonSchema;
  if (node.type === 'array') {
    node.xml = { wrapped: true };
    if (typeof node.items === 'object' && node.items !== null)
      (node.items as JsonSchema).xml = { name: PROBLEM_XML.item };
  }
  for (const value of Object.values(node)) {
    if (typeof value === 'object' && value !== null) markArrays(value);
  }
}

/** The problem a plain `throw` of the status sends, with an example of each of its extensions. */
function exampleOf(entry: CatalogEntry, plan: StatusPlan, schema: JsonSchema): RenderInput {
  const problem: Problem = {
    type: plan.type,
    title: plan.title,
    status: plan.status,
    instance: EXAMPLE_INSTANCE,
    [TRACE_ID_MEMBER]: EXAMPLE_TRACE_ID,
  };
  const properties = schema.properties as Record<string, JsonSchema>;
  for (const name of Object.keys(CATALOG_EXTENSIONS[entry.status as CatalogStatus] ?? {})) {
    const examples = properties[name]?.examples;
    if (Array.isArray(examples)) problem[name] = examples[0];
  }
  return { problem, retryAfter: entry.retryAfter ? EXAMPLE_RETRY_AFTER : undefined, debug: undefined };
}

function responseOf(entry: CatalogEntry, input: RenderInput): ProblemResponse {
  const content: Record<string, ProblemMediaType> = {};
  for (const [mediaType, format] of Object.entries(FORMATS))
    content[mediaType] = contentOf(mediaType, format, input);
  return { description: entry.description, headers: headersOf(entry), content };
}

function contentOf(mediaType: string, format: Format, input: RenderInput): ProblemMediaType {
  if (format.render === PROBLEM_JSON.render) {
    return { schema: { ...PROBLEM_REF }, example: JSON.parse(format.render(input)) as unknown };
  }
  if (format.render === renderXml) return { schema: { ...PROBLEM_REF }, example: format.render(input) };
  // A page of markup and style is no example; the text is a few lines.
  if (mediaType === 'text/html') return { schema: { type: 'string' } };
  return { schema: { type: 'string' }, example: format.render(input) };
}

// What the response policy sends with the status, read from the policy itself.
function headersOf(entry: CatalogEntry): Record<string, ProblemHeader> {
  const headers: Record<string, ProblemHeader> = {};
  if (entry.retryAfter) {
    headers['Retry-After'] = {
      description:
        'When to try again: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Sent when the error is given a retryAfter.',
      required: false,
      schema: { type: 'string' },
      example: EXAMPLE_RETRY_AFTER,
    };
  }
  const always = isNoStore(entry, false);
  if (always || isNoStore(entry, entry.retryAfter)) {
    headers['Cache-Control'] = {
      description: always
        ? 'Never stored: the answer is about this moment.'
        : 'Never stored when the response carries a Retry-After: it is about this moment.',
      required: always,
      schema: { type: 'string', const: 'no-store' },
    };
  }
  for (const [mediaType, format] of Object.entries(FORMATS)) {
    for (const [name] of format.headers) {
      headers[name] = {
        description: `Sent with the ${mediaType} body.`,
        required: false,
        schema: { type: 'string' },
      };
    }
  }
  return headers;
}

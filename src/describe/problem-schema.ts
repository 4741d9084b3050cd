import * as z from 'zod/mini';

import type { CatalogStatus } from '../catalog/catalog';
import { PROBLEM_MEMBERS, TEXT_MEMBERS, TRACE_ID_MEMBER } from '../http/problem-members';
import { isLoginUrl } from '../http/urls';

// zod/mini, not the classic API: the client subpath carries this schema into
// browser bundles, and mini's functions tree-shake where classic's methods on
// every schema cannot. zod's own toJSONSchema reads it all the same.

interface MemberDoc {
  readonly description: string;
  /** Every problem this package sends has it. */
  readonly always?: true;
}

// RFC 9457 §3.1, in the words a reader of the OpenAPI document needs.
const MEMBER_DOCS: Readonly<Record<string, MemberDoc>> = {
  type: {
    description:
      'A URI reference that identifies the problem type (RFC 9457 §3.1.1): the section that defines the status, or a page under the service’s own typeBase.',
    always: true,
  },
  title: { description: 'The reason phrase of the status (RFC 9457 §3.1.3).', always: true },
  status: {
    description: 'The HTTP status of the response, repeated (RFC 9457 §3.1.2).',
    always: true,
  },
  detail: {
    description:
      'What went wrong this time, written for the client (RFC 9457 §3.1.4); only when the server chose to say.',
  },
  instance: {
    description: 'This occurrence (RFC 9457 §3.1.5): by default the request path, without its query.',
  },
  [TRACE_ID_MEMBER]: {
    description: 'The id under which the server logged this failure; quote it when you report it.',
  },
};

function documented(name: string, schema: z.ZodMiniType): z.ZodMiniType {
  const doc = MEMBER_DOCS[name];
  const described = doc === undefined ? schema : schema.check(z.meta({ description: doc.description }));
  return doc?.always ? described : z.optional(described);
}

function standardMember(name: string): z.ZodMiniType {
  // RFC 9457 §3.1: `status` is a number, the other members strings. A `type`
  // is never empty: an empty URI reference would point at the response itself.
  if (!TEXT_MEMBERS.includes(name)) return documented(name, z.int().check(z.minimum(400), z.maximum(599)));
  return documented(name, name === 'type' ? z.string().check(z.minLength(1)) : z.string());
}

/**
 * The extension members the statuses of the catalog define, by status: what
 * their classes and guards send. RFC 6585 §6 asks a 511 to link to the login
 * page; RFC 9110 §15.6.6 asks a 505 to say which versions are supported.
 */
export const CATALOG_EXTENSIONS: Readonly<
  Partial<Record<CatalogStatus, Readonly<Record<string, z.ZodMiniType>>>>
> = {
  505: {
    supported: z.optional(
      z.array(z.string()).check(
        z.meta({
          description: '505 only: the HTTP versions the server supports, as Node spells them.',
          examples: [['1.1', '2.0']],
        }),
      ),
    ),
  },
  511: {
    // The rule the class and the HTML page apply: never `javascript:` or `data:`.
    loginUrl: z.optional(
      z.string().check(
        z.refine(isLoginUrl),
        z.meta({
          description: '511 only: where to log in to the network (RFC 6585 §6), a URL or a path.',
          examples: ['https://wifi.example.com/login'],
        }),
      ),
    ),
  },
};

function shape(): Record<string, z.ZodMiniType> {
  const members: Record<string, z.ZodMiniType> = {};
  for (const name of PROBLEM_MEMBERS) members[name] = standardMember(name);
  members[TRACE_ID_MEMBER] = documented(TRACE_ID_MEMBER, z.string().check(z.minLength(1)));
  for (const extensions of Object.values(CATALOG_EXTENSIONS)) Object.assign(members, extensions);
  return members;
}

/**
 * The one schema of a problem this package sends: the RFC 9457 members, the
 * `traceId` and the catalog's extensions, any other member allowed (RFC 9457
 * §3.2). The OpenAPI components are generated from it and the client checks
 * what it reads against it, so the contract and the code cannot drift.
 */
export const problemSchema = z.looseObject(shape()).check(
  z.meta({
    title: 'Problem',
    description:
      'An RFC 9457 problem details object. A client ignores the members it does not know, and any member whose value has the wrong type (RFC 9457 §3.1).',
  }),
);

import statuses from 'statuses';

import { catalog, lookupStatus } from '../catalog/catalog';
import { clientErrorSpecUrl } from '../catalog/client-error-links';

/**
 * How problem `type` URIs are chosen. `'spec'`: a link to the section of the RFC
 * that defines the status, as ASP.NET Core does (`about:blank` where there is
 * none, as for 598 and 599). `'about:blank'`: always `about:blank`, which RFC
 * 9457 §4.2.1 defines as "no semantics beyond the status code".
 */
export type TypeScheme = 'spec' | 'about:blank';

/** Everything about a status the request path needs, computed once. */
export interface StatusPlan {
  readonly status: number;
  /** The problem title, and the reason phrase of the status line. */
  readonly title: string;
  /** The problem `type` for errors that do not set their own. */
  readonly type: string;
  /** Whether the response must carry `Cache-Control: no-store`. */
  readonly noStore: boolean;
}

function title(status: number): string {
  return (
    lookupStatus(status)?.title ??
    (statuses.message[status] as string | undefined) ??
    (status < 500 ? 'Client Error' : 'Server Error')
  );
}

function specUrl(status: number): string | undefined {
  const entry = lookupStatus(status);
  return entry === undefined ? clientErrorSpecUrl(status) : entry.definition?.url;
}

function typeOf(status: number, scheme: TypeScheme, base: string | undefined): string {
  const slug = lookupStatus(status)?.slug;
  if (base !== undefined && slug !== undefined) return `${base.endsWith('/') ? base : `${base}/`}${slug}`;
  return (scheme === 'spec' ? specUrl(status) : undefined) ?? 'about:blank';
}

function plan(status: number, scheme: TypeScheme, base: string | undefined): StatusPlan {
  return Object.freeze({
    status,
    title: title(status),
    type: typeOf(status, scheme, base),
    noStore: lookupStatus(status)?.noStore ?? false,
  });
}

/**
 * Returns the plan lookup for one middleware: catalog statuses are planned at
 * start-up, any other 4xx/5xx status the first time it is seen, so the cache
 * holds at most the 200 error statuses; anything else gets the 500's plan.
 * With a `typeBase`, catalog statuses link to `typeBase + slug`.
 */
export function statusPlanner(scheme: TypeScheme, typeBase?: string): (status: number) => StatusPlan {
  const plans = new Map<number, StatusPlan>();
  for (const entry of Object.values(catalog)) plans.set(entry.status, plan(entry.status, scheme, typeBase));
  const internal = plans.get(500) as StatusPlan;
  return (status) => {
    let found = plans.get(status);
    if (found === undefined) {
      if (!Number.isInteger(status) || status < 400 || status > 599) return internal;
      found = plan(status, scheme, typeBase);
      plans.set(status, found);
    }
    return found;
  };
}

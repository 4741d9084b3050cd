/** What a Node response (or the HTTP/2 compatibility one) says of its connection. */
interface NodeResponse {
  readonly destroyed?: unknown;
  readonly stream?: { readonly destroyed?: unknown };
}

/**
 * Whether the client has gone: the response was destroyed, or, for the HTTP/2
 * compatibility response, which has no `destroyed` of its own, its stream was.
 * Not the request: Node destroys a request once its body has been read, while
 * its client still waits for the answer.
 */
export function isResponseGone(res: NodeResponse): boolean {
  return res.destroyed === true || res.stream?.destroyed === true;
}

/**
 * The most of a problem body the client reads, in bytes: a problem is a few
 * hundred. A larger body is not read at all, so a hostile or broken upstream
 * cannot make a caller buffer megabytes to learn what its status said already.
 */
export const MAX_PROBLEM_BYTES = 1_048_576;

/**
 * The body of a response as UTF-8 text (RFC 8259 §8.1; RFC 9457 Appendix B's
 * XML is UTF-8 too), or `undefined` when there is none, it was read already,
 * it is larger than `limit` bytes or the stream fails. Never throws.
 */
export async function readBoundedText(
  response: Response,
  limit = MAX_PROBLEM_BYTES,
): Promise<string | undefined> {
  try {
    const { body } = response;
    if (body === null || response.bodyUsed) return undefined;
    if (Number(response.headers.get('content-length')) > limit) {
      body.cancel().catch(() => undefined);
      return undefined;
    }
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      bytes += value.byteLength;
      if (bytes > limit) {
        reader.cancel().catch(() => undefined);
        return undefined;
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return undefined;
  }
}

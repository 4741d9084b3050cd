export { PROBLEM_JSON_TYPE as PROBLEM_JSON, PROBLEM_XML_TYPE as PROBLEM_XML } from '../http/media-types';

/** The media type of a Content-Type value, without its parameters, in lower case (RFC 9110 §8.3.1). */
export function mediaTypeOf(contentType: string | null): string | undefined {
  if (contentType === null) return undefined;
  const end = contentType.indexOf(';');
  const type = (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase();
  return type === '' ? undefined : type;
}

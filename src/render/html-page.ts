// The only style of every page: inline, so a page needs nothing else from the
// server, and allowed by its hash, so the policy can forbid everything else.
export const STYLE =
  ':root{color-scheme:light dark;font:16px/1.5 system-ui,sans-serif}' +
  'body{max-width:42rem;margin:0 auto;padding:2rem 1rem}' +
  'h1{font-size:1.75rem;line-height:1.2}' +
  'code,pre{font-family:ui-monospace,monospace;font-size:.9em}' +
  'pre{padding:.75rem;overflow-x:auto;background:#8882;white-space:pre-wrap;overflow-wrap:anywhere}' +
  'dt{font-weight:600}dd{margin:0 0 .5rem}' +
  'th,td{padding:.25rem 1rem .25rem 0;text-align:left;vertical-align:top}' +
  '.action a{display:inline-block;padding:.6rem 1.2rem;border-radius:.4rem;' +
  'background:#0b57d0;color:#fff;font-weight:600;text-decoration:none}';

/**
 * The Content-Security-Policy of every page this package serves: nothing may
 * load or run, only the page's own style applies, and no other site may frame it.
 */
export const HTML_CSP =
  // The SHA-256 of STYLE, written out so no runtime needs a hash function; a test recomputes it.
  "default-src 'none'; style-src 'sha256-5QDBFIg0/LoQd8dD36GkuDhOr5CyGGpMA6dxqzWHDdg='; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

// Markup characters are escaped. Control characters (but tab, LF, CR) are
// parse errors in HTML and some render as nothing at all; they are dropped.
const SPECIAL = /[&<>"'\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g;

/** Text made safe for HTML element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(SPECIAL, (char) => ESCAPES[char] ?? '');
}

/** A complete page: `title` is text (escaped here), `body` is markup (already escaped). */
export function htmlPage(title: string, body: string): string {
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n<main>\n${body}</main>\n</body>\n</html>\n`
  );
}

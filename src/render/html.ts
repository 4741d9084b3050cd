import { escapeHtml, htmlPage } from './html-page';
import { type ProblemView, viewProblem } from './view';
import { neverThrows, type Renderer } from './renderer';

export { HTML_CSP } from './html-page';

/**
 * Renders a problem as a small HTML page for browsers: the status, the detail,
 * when to retry, links to the type's documentation and (on a 511) the login
 * page, the other members, and the diagnostics when `debug` is on. Every value
 * is escaped; the page has no script and its one style is allowed by
 * {@link HTML_CSP}, which must be sent with it.
 */
export const renderHtml: Renderer = neverThrows(
  (input) => page(viewProblem(input)),
  htmlPage('Error', '<h1>Error</h1>\n'),
);

function page(view: ProblemView): string {
  let body = `<h1>${escapeHtml(view.heading)}</h1>\n`;
  if (view.detail !== undefined) body += `<p>${escapeHtml(view.detail)}</p>\n`;
  if (view.loginUrl !== undefined) {
    body += `<p class="action"><a href="${escapeHtml(view.loginUrl)}">Log in to the network</a></p>\n`;
  }
  const { retry } = view;
  if (retry !== undefined) {
    body +=
      'seconds' in retry
        ? `<p>Please try again ${retry.seconds === 0 ? 'now' : `in ${retry.words}`}.</p>\n`
        : `<p>Please try again after <time datetime="${retry.date.toISOString()}">${escapeHtml(retry.words)}</time>.</p>\n`;
  }
  if (view.typeUrl !== undefined)
    body += `<p><a href="${escapeHtml(view.typeUrl)}">About this error</a></p>\n`;
  if (view.traceId !== undefined) body += `<p>Reference: <code>${escapeHtml(view.traceId)}</code></p>\n`;
  if (view.members.length > 0) {
    body += '<dl>\n';
    for (const [name, value] of view.members) {
      body += `<dt>${escapeHtml(name)}</dt><dd><code>${escapeHtml(value)}</code></dd>\n`;
    }
    body += '</dl>\n';
  }
  const { debug } = view;
  if (debug !== undefined) {
    body += '<section>\n<h2>Debug information</h2>\n';
    if (debug.message !== undefined) body += `<h3>Message</h3>\n<pre>${escapeHtml(debug.message)}</pre>\n`;
    if (debug.stack !== undefined) body += `<h3>Stack</h3>\n<pre>${escapeHtml(debug.stack)}</pre>\n`;
    if (debug.causes.length > 0) {
      body += '<h3>Causes</h3>\n<ol>\n';
      for (const cause of debug.causes) body += `<li><pre>${escapeHtml(cause)}</pre></li>\n`;
      body += '</ol>\n';
    }
    body += '</section>\n';
  }
  return htmlPage(view.heading, body);
}

import { type ProblemView, viewProblem } from './view';
import { neverThrows, type Renderer } from './renderer';
import { quantity } from './retry-words';

/**
 * Renders a problem as plain text for terminals: the status line, the detail,
 * when to retry, the type, the trace id, the login URL of a 511, the other
 * members as "name: value" lines and, when `debug` is on, the diagnostics.
 * Values cannot forge lines or reach the terminal as control sequences.
 */
export const renderText: Renderer = neverThrows((input) => text(viewProblem(input)), 'Error\n');

function text(view: ProblemView): string {
  const lines = [oneLine(view.heading)];
  if (view.detail !== undefined) lines.push(block(view.detail));
  const { retry } = view;
  if (retry !== undefined) {
    lines.push(`Retry after ${'seconds' in retry ? quantity(retry.seconds, 'second') : retry.httpDate}.`);
  }
  if (view.type !== undefined) lines.push(`Type: ${oneLine(view.type)}`);
  if (view.traceId !== undefined) lines.push(`Trace id: ${oneLine(view.traceId)}`);
  if (view.loginUrl !== undefined) lines.push(`Log in at: ${oneLine(view.loginUrl)}`);
  for (const [name, value] of view.members) lines.push(`${oneLine(name)}: ${block(value)}`);
  const { debug } = view;
  if (debug !== undefined) {
    lines.push('', 'Debug information');
    if (debug.message !== undefined) lines.push(`Message: ${block(debug.message)}`);
    if (debug.stack !== undefined) lines.push(`Stack: ${block(debug.stack)}`);
    debug.causes.forEach((cause, i) => lines.push(`Cause ${i + 1}: ${block(cause)}`));
  }
  return `${lines.join('\n')}\n`;
}

// Every C0 and C1 control (ESC and CSI start terminal sequences, CR rewrites the
// line), DEL, the Unicode line separators and the bidi overrides that reorder
// what a reader sees ("Trojan Source"). Tabs become spaces, the rest goes.
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A value on one line: its line breaks become spaces. */
function oneLine(value: string): string {
  return clean(value).replaceAll('\n', ' ');
}

// Continuation lines are indented, so no value can start a line that looks like
// one of ours ("Trace id: …").
function block(value: string): string {
  return clean(value).replaceAll('\n', '\n  ');
}

function clean(value: string): string {
  return value.replaceAll('\t', ' ').replace(CONTROLS, '');
}

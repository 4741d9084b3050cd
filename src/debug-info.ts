import { inspect } from 'node:util';

import type { DebugInfo, ErrorInfo } from './render';
import { safeGet } from './safe-get';

// Enough for real chains (fetch failed → socket error → …); a cycle or an
// absurdly long chain stops here.
const MAX_CAUSES = 8;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function describeValue(value: unknown): string {
  try {
    return typeof value === 'string' ? value : inspect(value, { depth: 2, breakLength: Infinity });
  } catch {
    return '[uninspectable value]';
  }
}

function errorInfo(value: unknown): ErrorInfo {
  const isObject = typeof value === 'object' && value !== null;
  const name = isObject ? text(safeGet(value, 'name')) : undefined;
  const message = isObject ? text(safeGet(value, 'message')) : undefined;
  const stack = isObject ? text(safeGet(value, 'stack')) : undefined;
  const code = isObject ? safeGet(value, 'code') : undefined;
  return {
    name: name ?? (isObject ? 'Object' : typeof value),
    message: message ?? describeValue(value),
    ...(stack === undefined ? {} : { stack }),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
  };
}

/**
 * The internal diagnostics of a thrown value, for the `debug` option: its
 * message, its stack and its `cause` chain (cycle-safe, depth-limited). Never
 * throws, whatever was thrown.
 */
export function debugInfo(thrown: unknown): DebugInfo {
  const top = errorInfo(thrown);
  const causes: ErrorInfo[] = [];
  const seen = new Set<unknown>([thrown]);
  let current = safeGet(thrown, 'cause');
  while (current !== undefined && !seen.has(current) && causes.length < MAX_CAUSES) {
    seen.add(current);
    causes.push(errorInfo(current));
    current = safeGet(current, 'cause');
  }
  return { message: top.message, stack: top.stack, causes };
}

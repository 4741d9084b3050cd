/** The codes of the warnings the package prints, so a program can tell them apart. */
export type WarningCode =
  | 'SERVER_ERRORS_LOG'
  | 'SERVER_ERRORS_CUSTOMIZE'
  | 'SERVER_ERRORS_MAP_RULE'
  | 'SERVER_ERRORS_DEBUG_IN_PRODUCTION'
  | 'SERVER_ERRORS_NOT_CALLED';

interface NodeLikeProcess {
  readonly env?: Readonly<Record<string, string | undefined>>;
  emitWarning?(message: string, options: { code: string }): void;
}

/** Node's `process`, where the runtime has one (a fetch runtime may not). */
function processOf(): NodeLikeProcess | undefined {
  return (globalThis as { process?: NodeLikeProcess }).process;
}

/** `NODE_ENV`, where the runtime has an environment to read. */
export function nodeEnv(): string | undefined {
  return processOf()?.env?.NODE_ENV;
}

/** Prints a warning through `process.emitWarning`, or `console.warn` where there is none. */
export function warn(message: string, code: WarningCode): void {
  const emit = processOf()?.emitWarning;
  if (typeof emit === 'function') emit.call(processOf(), message, { code });
  else console.warn(`(${code}) ${message}`);
}

/**
 * A {@link warn} that prints each of its keys once: a misconfiguration is
 * worth one line, not one per request.
 */
export function warnOnce(): (key: string, message: string, code: WarningCode) => void {
  const warned = new Set<string>();
  return (key, message, code) => {
    if (warned.has(key)) return;
    warned.add(key);
    warn(message, code);
  };
}

/** What went wrong, in words, for a warning: a failure's message, whatever was thrown. */
export function reasonOf(failure: unknown): string {
  try {
    const message = (failure as { message?: unknown } | null | undefined)?.message;
    return String(message ?? failure);
  } catch {
    return 'an unprintable value';
  }
}

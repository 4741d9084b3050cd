/** The options of Node's `util.inspect` this package uses. */
interface InspectOptions {
  readonly depth?: number;
  readonly breakLength?: number;
  readonly maxStringLength?: number;
}

type Inspect = (value: unknown, options?: InspectOptions) => string;

/**
 * Node's `util.inspect`, found through `process.getBuiltinModule` rather than
 * imported: the core must load where there is no `node:` module at all (fetch
 * runtimes), and there it renders what JSON can say instead.
 */
export const inspect: Inspect = builtinInspect() ?? plainInspect;

function builtinInspect(): Inspect | undefined {
  try {
    const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const util = process?.getBuiltinModule?.('node:util') as { inspect?: unknown } | undefined;
    return typeof util?.inspect === 'function' ? (util.inspect as Inspect) : undefined;
  } catch {
    return undefined;
  }
}

function plainInspect(value: unknown): string {
  try {
    const json = JSON.stringify(value, (_key, member: unknown) =>
      typeof member === 'bigint' ? `${member}n` : member,
    );
    if (json !== undefined) return json;
  } catch {
    // A cycle: what String() says is all there is without Node.
  }
  try {
    return String(value);
  } catch {
    return '[value]';
  }
}

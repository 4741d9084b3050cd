/**
 * What fastify-plugin sets on a plugin, without depending on it:
 * `skip-override` makes what the plugin adds (handlers, hooks) the app's own
 * rather than those of an encapsulated child context; the name and the Fastify
 * version it was written for show in Fastify's errors and its plugin tree.
 *
 * @example
 * export const plugin = Object.assign(async (app) => {}, wholeAppPlugin('server-errors'));
 */
export function wholeAppPlugin(name: string) {
  return {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: name,
    [Symbol.for('plugin-meta')]: { name, fastify: '5.x' },
  } as const;
}

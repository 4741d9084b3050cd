/**
 * Reads a V8 .cpuprofile: self and inclusive time per function, and self time
 * per package (server-errors' own dist/ and src/, each node_modules package,
 * Node's internals, V8's own work), so hot spots can be named without DevTools.
 */
export function summariseProfile(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const functions = new Map();
  const packages = new Map();
  const entry = (key, frame) => {
    if (!functions.has(key)) functions.set(key, { key, area: areaOf(frame.url), self: 0, inclusive: 0 });
    return functions.get(key);
  };
  let total = 0;
  for (const [id, time] of self) {
    const { callFrame } = nodes.get(id);
    if (callFrame.functionName === '(idle)') continue;
    total += time;
    entry(keyOf(callFrame), callFrame).self += time;
    const area = areaOf(callFrame.url, callFrame.functionName);
    packages.set(area, (packages.get(area) ?? 0) + time);
    // Inclusive: every distinct function on this sample's stack gets the time once, recursion or not.
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at).callFrame;
      const key = keyOf(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      entry(key, frame).inclusive += time;
    }
  }
  return {
    total,
    functions: [...functions.values()],
    packages: [...packages].map(([area, time]) => ({ area, self: time })).sort((a, b) => b.self - a.self),
  };
}

function keyOf({ functionName, url, lineNumber }) {
  const name = functionName || '(anonymous)';
  return url ? `${name} ${shortUrl(url)}:${lineNumber + 1}` : name;
}

function shortUrl(url) {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules !== -1) return path.slice(modules + '/node_modules/'.length);
  const own = /\/(dist|src|bench)\/[^/]+$/.exec(path);
  return own ? own[0].slice(1) : path;
}

function areaOf(url, functionName = '') {
  if (!url) return functionName.startsWith('(') ? `V8 ${functionName}` : 'V8 builtins and native';
  if (url.startsWith('node:')) return 'Node internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (/\/(dist|src)\/[^/]+$/.test(url)) return 'server-errors';
  return 'bench';
}

// The module hooks of startup-census.mjs: they run on the loader's own thread
// and post the URL of every module the ES module loader loads.
let port;

export function initialize(data) {
  port = data.port;
}

export async function load(url, context, nextLoad) {
  port.postMessage(url);
  return nextLoad(url, context);
}

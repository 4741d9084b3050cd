// The floor: no framework, no thrown error, every byte computed once at start-up.
const body = JSON.stringify({
  type: 'https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4',
  title: 'Service Unavailable',
  status: 503,
  instance: '/fail',
});
const headers = {
  'Retry-After': '120',
  'Cache-Control': 'no-store',
  'Content-Type': 'application/problem+json; charset=utf-8',
  'X-Content-Type-Options': 'nosniff',
  'Content-Length': Buffer.byteLength(body),
};

export default function createHandler() {
  return (req, res) => {
    res.writeHead(503, headers);
    res.end(body);
  };
}

import { createHash } from 'node:crypto';

import fc from 'fast-check';

import { HTML_CSP, renderHtml } from '../../src/render/html';
import {
  anyProblem,
  DEBUG,
  debugProblem,
  hostileMembers,
  INJECTION,
  input,
  oversizedMembers,
  problem503,
  problem511,
  SPEC_503,
  THROWING_PROBLEM,
  TRACE_ID,
} from '../helpers/render-inputs';

/** The markup between <main> and </main>. */
function main(html: string): string {
  return html.slice(html.indexOf('<main>') + 7, html.indexOf('</main>'));
}

describe('renderHtml', () => {
  it('renders a 503 as a small English page: title, heading, detail, retry, type link, reference', () => {
    const html = renderHtml(input(problem503(), '120'));
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>503 Service Unavailable</title>');
    expect(main(html)).toBe(
      '<h1>503 Service Unavailable</h1>\n' +
        '<p>Down for maintenance.</p>\n' +
        '<p>Please try again in 2 minutes.</p>\n' +
        `<p><a href="${SPEC_503}">About this error</a></p>\n` +
        `<p>Reference: <code>${TRACE_ID}</code></p>\n`,
    );
  });

  it('has no script and a single style, which the CSP allows by its hash', () => {
    const html = renderHtml(input(problem503({ extra: 1 }), '120', DEBUG));
    expect(html).not.toMatch(/<script|\son\w+=/i);
    const styles = [...html.matchAll(/<style>([^<]*)<\/style>/g)].map(([, css]) => css ?? '');
    expect(styles).toHaveLength(1);
    const hash = createHash('sha256')
      .update(styles[0] ?? '')
      .digest('base64');
    expect(HTML_CSP).toBe(
      `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
  });

  it('escapes an injected detail, so it is text', () => {
    const html = renderHtml(input(problem503({ detail: INJECTION })));
    expect(html).toContain(
      '<p>&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;</p>',
    );
    expect(html).not.toMatch(/<img|<script/i);
  });

  it('escapes every value: title, trace id, member names and values', () => {
    const html = renderHtml(
      input({
        type: 'about:blank',
        title: '<b>T</b>',
        status: 500,
        traceId: '"><x>',
        [`<k a='1'>`]: `</code><i>&amp;`,
      }),
    );
    expect(html).toContain('<title>500 &lt;b&gt;T&lt;/b&gt;</title>');
    expect(html).toContain('<h1>500 &lt;b&gt;T&lt;/b&gt;</h1>');
    expect(html).toContain('<p>Reference: <code>&quot;&gt;&lt;x&gt;</code></p>');
    expect(html).toContain(
      '<dt>&lt;k a=&#39;1&#39;&gt;</dt><dd><code>&lt;/code&gt;&lt;i&gt;&amp;amp;</code></dd>',
    );
  });

  it('drops the control characters HTML forbids', () => {
    expect(renderHtml(input(problem503({ detail: 'a\u0000b\u001bc\u0085d\te\nf' })))).toContain(
      '<p>abcd\te\nf</p>',
    );
  });

  it.each([
    ['0', 'Please try again now.'],
    ['1', 'Please try again in 1 second.'],
    ['120', 'Please try again in 2 minutes.'],
    ['90', 'Please try again in 1 minute and 30 seconds.'],
    ['86400', 'Please try again in 1 day.'],
  ])('says Retry-After %j in words: %j', (retryAfter, sentence) => {
    expect(renderHtml(input(problem503(), retryAfter))).toContain(`<p>${sentence}</p>`);
  });

  it('says a Retry-After date in words, with the exact moment in <time>', () => {
    expect(renderHtml(input(problem503(), 'Tue, 01 Jan 2030 00:00:00 GMT'))).toContain(
      '<p>Please try again after <time datetime="2030-01-01T00:00:00.000Z">Tuesday, 1 January 2030, 00:00 UTC</time>.</p>',
    );
  });

  it.each(['soon', '-1', '1.5', '<b>120</b>', ''])(
    'says nothing of a malformed Retry-After %j',
    (retryAfter) => {
      expect(renderHtml(input(problem503(), retryAfter))).not.toContain('try again');
    },
  );

  it.each([
    'about:blank',
    'urn:example:problem',
    '/problems/down',
    'javascript:alert(1)',
    'https://a"b.example',
  ])('does not link to a type %j that is no http(s) URL', (type) => {
    expect(renderHtml(input({ ...problem503(), type }))).not.toContain('About this error');
  });

  it.each([
    'https://wifi.example.com/login?next=%2F&x=1',
    'http://10.0.0.1/login',
    '/login',
    '/portal/login?a=1',
  ])('links a 511 prominently to its loginUrl %j', (loginUrl) => {
    const html = renderHtml(input(problem511(loginUrl)));
    expect(html).toContain(
      `<p class="action"><a href="${loginUrl.replaceAll('&', '&amp;')}">Log in to the network</a></p>`,
    );
  });

  it.each([
    'javascript:window.pwned=1',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '//evil.example/login',
    '/\\evil.example/login',
    '/\t/evil.example',
    'https://evil.example/"onmouseover="alert(1)',
    'login',
    42,
    null,
  ])('never links a 511 to %j', (loginUrl) => {
    const html = renderHtml(input(problem511(loginUrl)));
    expect(html).not.toContain('Log in to the network');
    expect(html).not.toMatch(/href="(?!https:\/\/www\.rfc-editor\.org\/)/);
  });

  it('lists loginUrl as a plain member on other statuses', () => {
    const html = renderHtml(input(problem503({ loginUrl: 'https://wifi.example.com/login' })));
    expect(html).not.toContain('Log in to the network');
    expect(html).toContain('<dt>loginUrl</dt><dd><code>https://wifi.example.com/login</code></dd>');
  });

  it('lists other members in a <dl>, text as is and anything else as JSON', () => {
    const html = renderHtml(
      input(problem503({ region: 'eu-west-1', limits: { rps: 10, burst: [1, 2] }, on: true })),
    );
    expect(html).toContain(
      '<dl>\n<dt>region</dt><dd><code>eu-west-1</code></dd>\n' +
        '<dt>limits</dt><dd><code>{&quot;rps&quot;:10,&quot;burst&quot;:[1,2]}</code></dd>\n' +
        '<dt>on</dt><dd><code>true</code></dd>\n</dl>\n',
    );
  });

  it('shows the debug information, escaped, only when debug is given', () => {
    const html = renderHtml(input(debugProblem(), undefined, DEBUG));
    expect(main(html)).toContain(
      '<section>\n<h2>Debug information</h2>\n' +
        '<h3>Message</h3>\n<pre>pool exhausted &lt;after 3 tries&gt;</pre>\n' +
        '<h3>Stack</h3>\n<pre>ServiceUnavailable: pool exhausted &lt;after 3 tries&gt;\n    at getConnection (/app/db.js:10:5)</pre>\n' +
        '<h3>Causes</h3>\n<ol>\n<li><pre>Error: connect ECONNREFUSED 127.0.0.1:5432 (code ECONNREFUSED)\n' +
        '    at TCPConnectWrap.afterConnect (node:net:1555:16)</pre></li>\n</ol>\n</section>\n',
    );
    // Shown once, not again among the members.
    expect(html).not.toContain('<dt>stack</dt>');
  });

  it('has no debug section without debug, even when the problem has a member named message', () => {
    const html = renderHtml(input(problem503({ message: 'a public extension' })));
    expect(html).not.toContain('Debug information');
    expect(html).toContain('<dt>message</dt><dd><code>a public extension</code></dd>');
  });

  it('survives hostile and oversized members, showing what it can', () => {
    const html = renderHtml(input(problem503({ ...hostileMembers(), ...oversizedMembers() })));
    expect(html).toContain('<dt>cycle</dt><dd><code>{&quot;name&quot;:&quot;loop&quot;}</code></dd>');
    expect(html).toContain('<dt>big</dt><dd><code>12345678901234567890</code></dd>');
    expect(html).not.toContain('<dt>badJson</dt>');
    expect(html.length).toBeLessThan(6_000_000);
  });

  it('answers a problem that throws on every read with a page', () => {
    expect(main(renderHtml(input(THROWING_PROBLEM)))).toBe('<h1>Error</h1>\n');
  });

  it('never throws and never lets markup through, whatever the problem holds', () => {
    fc.assert(
      fc.property(anyProblem, (problem) => {
        const html = renderHtml(input(problem, '120', DEBUG));
        // Only our own tags: every "<" of a value was escaped.
        const tags = new Set([...main(html).matchAll(/<\/?([a-z0-9]+)/g)].map(([, tag]) => tag));
        for (const tag of tags)
          expect([
            'h1',
            'h2',
            'h3',
            'p',
            'a',
            'code',
            'dl',
            'dt',
            'dd',
            'section',
            'pre',
            'ol',
            'li',
          ]).toContain(tag);
      }),
      { numRuns: 200 },
    );
    // Hundreds of runs take seconds when the whole suite shares the CPU.
  }, 30_000);
});

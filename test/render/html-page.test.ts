import { createHash } from 'node:crypto';

import { escapeHtml, HTML_CSP, htmlPage, STYLE } from '../../src/render/html-page';

describe('escapeHtml', () => {
  it('escapes the five markup characters, for text and quoted attributes alike', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('drops the control characters HTML forbids, keeping tab, LF and CR', () => {
    expect(escapeHtml('a\u0000\u0008\u000b\u000c\u001b\u007f\u0085\u009fb\t\n\r')).toBe('ab\t\n\r');
  });

  it('leaves other text as it is', () => {
    expect(escapeHtml('héllo 😀 日本 \u00a0')).toBe('héllo 😀 日本 \u00a0');
  });
});

describe('htmlPage', () => {
  it('wraps the body in an English page whose title is escaped', () => {
    const page = htmlPage('<T>', '<p>body</p>\n');
    expect(page).toMatch(/^<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n/);
    expect(page).toContain('<title>&lt;T&gt;</title>');
    expect(page).toContain('<main>\n<p>body</p>\n</main>');
  });

  it('is allowed by the CSP, which allows nothing else', () => {
    expect(HTML_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; /);
    expect(htmlPage('t', '')).not.toContain('<script');
  });

  it("allows the page's one style by its hash, as the style is now", () => {
    const hash = createHash('sha256').update(STYLE).digest('base64');
    expect(HTML_CSP).toContain(`style-src 'sha256-${hash}';`);
    expect(htmlPage('t', '')).toContain(`<style>${STYLE}</style>`);
  });
});

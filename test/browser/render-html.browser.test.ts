import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';

import { renderXml } from '../../src/render/xml';
import { browserApp, cspViolations, launchChromium, parseXml, serve } from '../helpers/browser';
import {
  anyProblem,
  hostileMembers,
  INJECTION,
  input,
  problem503,
  SPEC_503,
  TRACE_ID,
} from '../helpers/render-inputs';

const SCREENSHOT = join(__dirname, '..', '..', 'docs', '503.png');

let browser: Browser;
let server: Awaited<ReturnType<typeof serve>>;
let page: Page;
let violations: () => Promise<string[]>;

beforeAll(async () => {
  browser = await launchChromium();
  server = await serve(browserApp());
});

afterAll(async () => {
  await server?.close();
  await browser?.close();
});

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 800, height: 300 } });
  violations = await cspViolations(page);
});

afterEach(async () => {
  await page.close();
});

async function visit(path: string): Promise<number | undefined> {
  const response = await page.goto(server.url(path));
  return response?.status();
}

const pwned = () => page.evaluate(() => (globalThis as { pwned?: unknown }).pwned);

describe('the HTML problem page in Chromium', () => {
  it('shows a 503: title, heading, detail, when to retry, a link to the docs, the reference', async () => {
    expect(await visit('/503')).toBe(503);
    expect(await page.title()).toBe('503 Service Unavailable');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('503 Service Unavailable');
    expect((await page.locator('main').innerText()).split('\n').filter(Boolean)).toEqual([
      '503 Service Unavailable',
      'Down for maintenance. We will be back in two minutes.',
      'Please try again in 2 minutes.',
      'About this error',
      `Reference: ${TRACE_ID}`,
    ]);
    expect(await page.getByRole('link', { name: 'About this error' }).getAttribute('href')).toBe(SPEC_503);
    expect(await violations()).toEqual([]);
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  });

  it('applies its style, which the CSP allows by hash', async () => {
    await visit('/503');
    const font = await page.locator('body').evaluate((body) => {
      const { getComputedStyle } = globalThis as unknown as {
        getComputedStyle: (element: unknown) => { maxWidth: string };
      };
      return getComputedStyle(body).maxWidth;
    });
    expect(font).toBe('672px');
    expect(await violations()).toEqual([]);
  });

  it('says a Retry-After date in words', async () => {
    expect(await visit('/503-date')).toBe(503);
    await expect(page.locator('time').innerText()).resolves.toBe('Tuesday, 1 January 2030, 00:00 UTC');
    expect(await page.locator('time').getAttribute('datetime')).toBe('2030-01-01T00:00:00.000Z');
  });

  it.each([
    ['/511', 'https://wifi.example.com/login?from=a&b'],
    ['/511-path', '/portal/login'],
  ])('gives %s a prominent link to its login page', async (path, href) => {
    expect(await visit(path)).toBe(511);
    const login = page.getByRole('link', { name: 'Log in to the network' });
    expect(await login.getAttribute('href')).toBe(href);
    expect(await login.evaluate((a) => (a as { href: string }).href)).toBe(
      new URL(href, server.url('/')).href,
    );
    const background = await login.evaluate((a) => {
      const { getComputedStyle } = globalThis as unknown as {
        getComputedStyle: (element: unknown) => { backgroundColor: string };
      };
      return getComputedStyle(a).backgroundColor;
    });
    expect(background).toBe('rgb(11, 87, 208)');
    expect(await violations()).toEqual([]);
  });

  it('never links a 511 to a javascript: URL', async () => {
    expect(await visit('/511-javascript')).toBe(511);
    expect(await page.getByRole('link', { name: 'Log in to the network' }).count()).toBe(0);
    const hrefs = await page
      .locator('a')
      .evaluateAll((links) => links.map((a) => (a as { href: string }).href));
    expect(hrefs).toEqual(['https://www.rfc-editor.org/rfc/rfc6585.html#section-6']);
    expect(await pwned()).toBeUndefined();
  });

  it('shows an injected detail as text and runs nothing', async () => {
    expect(await visit('/injected')).toBe(502);
    const text = await page.locator('main').innerText();
    expect(text).toContain(INJECTION);
    expect(await page.locator('main img, main script, img, script').count()).toBe(0);
    expect(await pwned()).toBeUndefined();
    expect(await violations()).toEqual([]);
  });

  it('sees a CSP violation when there is one (the check above can fail)', async () => {
    await visit('/csp-control');
    await page.waitForFunction('window.__violations.length > 0');
    expect(await violations()).toContainEqual(expect.stringMatching(/^style-src/));
  });
});

describe('the XML problem in Chromium', () => {
  it('is served well-formed, in the RFC 7807 namespace', async () => {
    const res = await fetch(server.url('/503'), { headers: { accept: 'application/problem+xml' } });
    expect(res.headers.get('content-type')).toBe('application/problem+xml; charset=utf-8');
    const [parsed] = await parseXml(page, [await res.text()]);
    expect(parsed).toEqual({
      error: undefined,
      namespace: 'urn:ietf:rfc:7807',
      root: 'problem',
      children: ['type', 'title', 'status', 'detail', 'instance', 'traceId'],
    });
  });

  it('stays well-formed with hostile members', async () => {
    const [parsed] = await parseXml(page, [renderXml(input(problem503(hostileMembers())))]);
    expect(parsed?.error).toBeUndefined();
    expect(parsed?.children).toContain('controls');
  });

  it('stays well-formed for any problem', async () => {
    const texts = fc
      .sample(anyProblem, { numRuns: 500, seed: 7 })
      .map((problem) => renderXml(input(problem)));
    const errors = (await parseXml(page, texts))
      .map((parsed, i) => (parsed.error === undefined ? undefined : `${parsed.error}\n${texts[i]}`))
      .filter(Boolean);
    expect(errors).toEqual([]);
  });

  it('is checked by a parser that does report malformed XML', async () => {
    const [parsed] = await parseXml(page, ['<problem xmlns="urn:ietf:rfc:7807"><a>&</a></problem>']);
    expect(parsed?.error).toBeDefined();
  });
});

import type { Browser, Page } from 'playwright-core';

import { catalog } from '../../src/catalog/catalog';
import { browserApp, cspViolations, launchChromium, serve } from '../helpers/browser';

const entries = Object.values(catalog);

let browser: Browser;
let server: Awaited<ReturnType<typeof serve>>;
let page: Page;
let violations: () => Promise<string[]>;

beforeAll(async () => {
  browser = await launchChromium();
  server = await serve(browserApp());
  page = await browser.newPage();
  violations = await cspViolations(page);
});

afterAll(async () => {
  await server?.close();
  await browser?.close();
});

describe('the problem docs in Chromium', () => {
  it('lists every status on the index, each linked to its page', async () => {
    await page.goto(server.url('/problems'));
    expect(await page.title()).toBe('Server errors');
    const links = page.locator('tbody a');
    expect(await links.allInnerTexts()).toEqual(entries.map((entry) => entry.title));
    expect(await links.evaluateAll((all) => all.map((a) => (a as { href: string }).href))).toEqual(
      entries.map((entry) => server.url(`/problems/${entry.slug}`)),
    );
    expect(await violations()).toEqual([]);
  });

  it.each(entries.map((entry) => [entry.status, entry] as const))(
    'opens the page of %i from the index, and goes back',
    async (status, entry) => {
      await page.goto(server.url('/problems/'));
      await page.getByRole('link', { name: entry.title, exact: true }).click();
      await page.waitForURL(server.url(`/problems/${entry.slug}`));
      expect(await page.title()).toBe(`${status} ${entry.title}`);
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`${status} ${entry.title}`);
      if (entry.definition !== undefined) {
        const rfc = page.getByRole('link', {
          name: `${entry.definition.rfc}, section ${entry.definition.section}`,
        });
        expect(await rfc.getAttribute('href')).toBe(entry.definition.url);
      }
      await page.getByRole('link', { name: 'All server errors' }).click();
      await page.waitForURL(server.url('/problems/'));
      expect(await violations()).toEqual([]);
    },
  );
});

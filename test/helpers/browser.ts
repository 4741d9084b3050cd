import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express from 'express';
import { type Browser, chromium, type Page } from 'playwright-core';

import { BadGateway, NetworkAuthenticationRequired, ServiceUnavailable } from '../../src/errors/classes';
import { problemDocs } from '../../src/node/problem-docs';
import { serverErrors } from '../../src/node/middleware';
import { HTML_CSP } from '../../src/render/html';
import { ServerError } from '../../src/errors/server-error';
import { throwing } from './apps';
import { INJECTION, TRACE_ID } from './render-inputs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium, headless. Missing Chromium is a failure, never a skip. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** The app the browser visits: error pages for a few errors, and the problem docs. */
export function browserApp(): express.Express {
  const app = express();
  app.use('/problems', problemDocs());
  app.get(
    '/503',
    throwing(
      new ServiceUnavailable(120, { detail: 'Down for maintenance. We will be back in two minutes.' }),
    ),
  );
  app.get('/503-date', throwing(new ServiceUnavailable(new Date(Date.UTC(2030, 0, 1)))));
  app.get(
    '/511',
    throwing(new NetworkAuthenticationRequired({ loginUrl: 'https://wifi.example.com/login?from=a&b' })),
  );
  app.get('/511-path', throwing(new NetworkAuthenticationRequired({ loginUrl: '/portal/login' })));
  // The class refuses such a loginUrl; an extension can still carry one.
  app.get(
    '/511-javascript',
    throwing(new ServerError(511, { extensions: { loginUrl: 'javascript:window.pwned=1' } })),
  );
  app.get(
    '/injected',
    throwing(new BadGateway({ detail: INJECTION, extensions: { [INJECTION]: INJECTION } })),
  );
  // A page whose style the policy does not allow: proves violations are seen.
  app.get('/csp-control', (_req, res) => {
    res
      .set('Content-Security-Policy', HTML_CSP)
      .type('html')
      .send('<!DOCTYPE html><style>p{color:red}</style><p>x');
  });
  app.use(serverErrors({ log: false, traceId: () => TRACE_ID }));
  return app;
}

/** Serves an app on 127.0.0.1 at a free port. */
export async function serve(
  app: express.Express,
): Promise<{ url: (path: string) => string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// Runs in the page before its own content: lib "dom" is not in the type check.
const WATCH_VIOLATIONS = `
  const seen = [];
  Object.defineProperty(window, '__violations', { value: seen });
  document.addEventListener('securitypolicyviolation', (event) => {
    seen.push(event.violatedDirective + ' ' + event.blockedURI);
  });
`;

/**
 * Records what the page's Content-Security-Policy blocked: the
 * `securitypolicyviolation` events and the console's CSP errors.
 */
export async function cspViolations(page: Page): Promise<() => Promise<string[]>> {
  const logged: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) logged.push(message.text());
  });
  await page.addInitScript({ content: WATCH_VIOLATIONS });
  return async () => [
    ...(await page.evaluate(() => (globalThis as { __violations?: string[] }).__violations ?? [])),
    ...logged,
  ];
}

/** What the page's DOMParser makes of some XML: its parse error, if any, and its root. */
export async function parseXml(
  page: Page,
  texts: readonly string[],
): Promise<Array<{ error: string | undefined; namespace: string | null; root: string; children: string[] }>> {
  return page.evaluate((documents) => {
    interface XmlElement {
      readonly localName: string;
      readonly namespaceURI: string | null;
      readonly children: ArrayLike<XmlElement>;
    }
    interface XmlDocument {
      readonly documentElement: XmlElement;
      getElementsByTagName(name: string): ArrayLike<{ textContent: string | null }>;
    }
    const { DOMParser } = globalThis as unknown as {
      DOMParser: new () => { parseFromString(text: string, type: string): XmlDocument };
    };
    return documents.map((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      const root = doc.documentElement;
      return {
        error: doc.getElementsByTagName('parsererror')[0]?.textContent ?? undefined,
        namespace: root.namespaceURI,
        root: root.localName,
        children: Array.from(root.children, (child) => child.localName),
      };
    });
  }, texts);
}

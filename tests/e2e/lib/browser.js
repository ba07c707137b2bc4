'use strict';
// Debian's chromium, headless, driven by puppeteer-core (which downloads no browser). The flags
// keep it off the network: this machine reaches nothing but loopback, and without them chromium
// keeps trying Google's services.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// SAG_CHROMIUM, when set, is the only candidate.
const CHROMIUM_CANDIDATES = process.env.SAG_CHROMIUM ? [process.env.SAG_CHROMIUM]
  : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

// The chromium executable, or null when none is installed.
function findChromium() {
  return CHROMIUM_CANDIDATES.find((p) => fs.existsSync(p)) || null;
}

const FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-extensions', '--metrics-recording-only', '--mute-audio',
  '--no-default-browser-check', '--disable-features=Translate,OptimizationHints,MediaRouter',
  '--window-size=1280,900'];

// Launches chromium with a fresh profile; resolves {browser, close()}.
async function launch() {
  const puppeteer = require('puppeteer-core');
  const executablePath = findChromium();
  if (!executablePath) throw new Error('chromium is not installed (scripts/install-deps.sh installs it)');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sag-chromium-'));
  const browser = await puppeteer.launch({
    executablePath, headless: true, args: [...FLAGS, `--user-data-dir=${userDataDir}`],
    defaultViewport: { width: 1280, height: 900 }, protocolTimeout: 60000,
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A page in its own browser context (its own session storage and cookies, as a separate
 * window would have) that records what the console must never do: console errors, failed
 * requests, Content-Security-Policy violations, and every URL it requested.
 */
async function newPage(browser) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const record = { errors: [], cspViolations: [], urls: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') record.errors.push(m.text());
  });
  page.on('pageerror', (e) => record.errors.push(String(e)));
  page.on('request', (r) => record.urls.push(r.url()));
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window.__cspViolations = window.__cspViolations || []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { page, context, record };
}

// Waits until the page's visible text (an SVG's text content) matches `pattern` (a RegExp), or the element `selector`'s
// does; returns that text. The condition is evaluated in the page at each animation frame.
async function waitForText(page, pattern, { selector = 'body', timeout = 30000 } = {}) {
  try {
    await page.waitForFunction((sel, source, flags) => {
      const el = document.querySelector(sel);
      return el && new RegExp(source, flags).test(el.innerText ?? el.textContent);
    }, { timeout, polling: 'raf' }, selector, pattern.source, pattern.flags);
  } catch (e) {
    const text = await page.evaluate((sel) => {
      const el = document.querySelector(sel) || document.body;
      return el.innerText ?? el.textContent;
    }, selector)
      .catch(() => '(page gone)');
    throw new Error(`waiting for ${pattern} in ${selector}: ${e.message}\n--- page text ---\n${text.slice(0, 3000)}`);
  }
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    return el.innerText ?? el.textContent;
  }, selector);
}

module.exports = { findChromium, launch, newPage, waitForText };

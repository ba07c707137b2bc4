// The console's shell: sign-in, navigation between pages, and the live loop that reloads the
// current page's data every few seconds with signed calls (docs/console.md).
import { ApiError, Client } from './api.js';
import { h } from './dom.js';
import { fleetPage } from './pages/fleet.js';
import { instancePage } from './pages/instance.js';
import { upgradesPage } from './pages/upgrades.js';
import { usersPage } from './pages/users.js';
import { versionsPage } from './pages/versions.js';
import { clearSession, loadCredentials, saveCredentials } from './session.js';

// How often the current page reloads its data while the tab is visible.
const POLL_MS = 2000;

// The regions the instance form offers when the key may not call DescribeRegions.
const KNOWN_REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-shanghai-finance-1', 'cn-hongkong', 'ap-southeast-1',
  'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-5', 'ap-northeast-1', 'eu-central-1'];

// Every page: its route's first segment, how many route parameters it takes, and its menu label
// (none: reached by links only). A page is {title, load(ctx) -> model, view(model) -> nodes,
// controls?(ctx) -> node}; the Rollouts page joins here (docs/console.md "Adding a page").
const ROUTES = [
  { path: 'fleet', page: fleetPage, nav: 'Fleet' },
  { path: 'instance', page: instancePage, params: 2 },
  { path: 'versions', page: versionsPage, nav: 'Versions' },
  { path: 'upgrades', page: upgradesPage, nav: 'Upgrades' },
  { path: 'users', page: usersPage, nav: 'Client users' },
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const status = document.getElementById('live-status');

let client = null;
let regionsList = KNOWN_REGIONS;
let run = 0; // the current page's run; a stale run stops itself
let timer = null;
let refreshes = 0;

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  });
  const route = ROUTES.find((r) => r.path === parts[0] && (r.params || 0) === parts.length - 1);
  return route ? { route, params: parts.slice(1) } : { route: ROUTES[0], params: [] };
}

function navigate(route) {
  location.hash = `#${route}`;
}

function renderNav(current) {
  nav.replaceChildren(...ROUTES.filter((r) => r.nav).map((r) =>
    h('a', { href: `#/${r.path}`, class: r === current ? 'current' : null, 'aria-current': r === current ? 'page' : null }, r.nav)));
}

function setStatus(text, kind) {
  status.replaceChildren(h('span', { class: `dot ${kind}` }), ` ${text}`);
  status.dataset.refreshes = String(refreshes);
}

async function refresh(myRun, page, ctx, live) {
  if (myRun !== run) return;
  if (!document.hidden) {
    try {
      const model = await page.load(ctx);
      if (myRun !== run) return;
      live.replaceChildren(...[page.view(model)].flat(3).filter(Boolean));
      refreshes++;
      status.dataset.route = ctx.hash;
      setStatus(`Live · updated ${new Date().toISOString().slice(11, 19)} UTC · every ${POLL_MS / 1000} s`, 'ok');
    } catch (e) {
      if (myRun !== run) return;
      if (e instanceof ApiError && e.badCredentials) {
        signOut(`The AccessKey was refused: ${e.code}. Sign in again.`);
        return;
      }
      setStatus(`Update failed: ${e.message}`, 'bad');
    }
  }
  timer = setTimeout(() => refresh(myRun, page, ctx, live), POLL_MS);
}

function showPage() {
  if (!client) return;
  clearTimeout(timer);
  const myRun = ++run;
  const { route, params } = parseRoute();
  renderNav(route.nav ? route : null);
  const ctx = { client, params, navigate, regionsList, hash: location.hash };
  const live = h('div', { class: 'live' }, h('p', { class: 'muted' }, 'Loading…'));
  main.replaceChildren(h('h1', {}, route.page.title), route.page.controls ? route.page.controls(ctx) : '', live);
  document.title = `${route.page.title} · OpenSAG console`;
  refresh(myRun, route.page, ctx, live);
}

function signOut(message) {
  clearSession();
  client = null;
  run++;
  clearTimeout(timer);
  history.replaceState(null, '', location.pathname);
  showSignIn(message);
}

function showSignedIn(accessKeyId) {
  who.replaceChildren(h('span', { class: 'muted' }, 'AccessKey '), h('code', { id: 'access-key-id' }, accessKeyId), ' ',
    h('button', { type: 'button', id: 'sign-out', onclick: () => signOut('Signed out.') }, 'Sign out'));
}

function showSignIn(message) {
  nav.replaceChildren();
  who.replaceChildren();
  status.replaceChildren();
  const id = h('input', { id: 'access-key-id-input', name: 'accessKeyId', autocomplete: 'off', spellcheck: 'false', required: true });
  const secret = h('input', { id: 'access-key-secret-input', name: 'accessKeySecret', type: 'password', autocomplete: 'off', required: true });
  const error = h('p', { class: 'error', id: 'sign-in-error', role: 'alert' }, message && message !== 'Signed out.' ? message : '');
  const form = h('form', {
    class: 'sign-in', id: 'sign-in',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      try {
        await signIn(id.value.trim(), secret.value);
      } catch (err) {
        error.textContent = err instanceof ApiError && err.badCredentials
          ? `This AccessKey ID and secret were refused (${err.code}).` : err.message;
      }
    },
  },
  h('h1', {}, 'Sign in'),
  h('p', { class: 'muted' }, 'With an AccessKey of sagd. The page signs its own API calls, so it shows exactly what ' +
    'the key\'s RAM policies allow. The secret stays in this tab\'s session storage and is forgotten when the tab closes.'),
  h('label', { for: 'access-key-id-input' }, 'AccessKey ID'), id,
  h('label', { for: 'access-key-secret-input' }, 'AccessKey secret'), secret,
  h('button', { type: 'submit' }, 'Sign in'), error,
  message === 'Signed out.' ? h('p', { class: 'muted' }, message) : null);
  main.replaceChildren(form);
  document.title = 'Sign in · OpenSAG console';
}

// Checks the key with DescribeRegions: an answer, or a RAM denial (which comes only after the
// signature was verified), proves the ID and secret.
async function signIn(accessKeyId, accessKeySecret) {
  const candidate = await Client.create(accessKeyId, accessKeySecret);
  try {
    const r = await candidate.smartag('DescribeRegions');
    regionsList = r.Regions.Region.map((x) => x.RegionId);
  } catch (e) {
    if (!(e instanceof ApiError && e.denied)) throw e;
    regionsList = KNOWN_REGIONS;
  }
  saveCredentials(accessKeyId, accessKeySecret);
  client = candidate;
  showSignedIn(accessKeyId);
  if (!location.hash || location.hash === '#' || location.hash === '#/') navigate('/fleet');
  else showPage();
}

async function start() {
  window.addEventListener('hashchange', showPage);
  const saved = loadCredentials();
  if (!saved) return showSignIn();
  try {
    client = await Client.create(saved.accessKeyId, saved.accessKeySecret);
  } catch (e) {
    return showSignIn(e.message);
  }
  showSignedIn(saved.accessKeyId);
  showPage();
}

start();

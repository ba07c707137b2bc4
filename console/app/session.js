// The signed-in AccessKey, kept in this tab's session storage only: it is gone when the tab
// closes, is never shared with other tabs, and never goes to local storage, a cookie or a URL.

const CREDENTIALS = 'opensag.console.credentials';
const OPENED = 'opensag.console.opened';

export function loadCredentials() {
  try {
    const c = JSON.parse(sessionStorage.getItem(CREDENTIALS) || 'null');
    return c && typeof c.accessKeyId === 'string' && typeof c.accessKeySecret === 'string' ? c : null;
  } catch {
    return null;
  }
}

export function saveCredentials(accessKeyId, accessKeySecret) {
  sessionStorage.setItem(CREDENTIALS, JSON.stringify({ accessKeyId, accessKeySecret }));
}

// Signing out forgets the key and everything the tab remembered for it.
export function clearSession() {
  sessionStorage.removeItem(CREDENTIALS);
  sessionStorage.removeItem(OPENED);
}

// The instances opened by id in this tab ({region, id}, newest first): what a key that may not
// list instances still sees on the fleet page.
export function openedInstances() {
  try {
    const list = JSON.parse(sessionStorage.getItem(OPENED) || '[]');
    return Array.isArray(list) ? list.filter((x) => x && typeof x.id === 'string' && typeof x.region === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberOpened(region, id) {
  const list = openedInstances().filter((x) => !(x.id === id && x.region === region));
  list.unshift({ region, id });
  sessionStorage.setItem(OPENED, JSON.stringify(list.slice(0, 20)));
}

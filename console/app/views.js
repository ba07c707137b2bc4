// Pieces of pages that several pages show: a device's presence, an upgrade's progress, the
// versions chart.
import { barChart } from './chart.js';
import { OFFLINE_REASONS, TERMINAL_UPGRADE_STATES, offlineText } from './data.js';
import { badge, h, progress, time } from './dom.js';

// "online", or "offline — <why>" with the time the device was last seen.
export function presence(device) {
  if (device.Online) return h('span', { class: 'presence', 'data-sn': device.SerialNumber }, badge('online', 'ok'));
  const since = device.LastOfflineTime || device.LastConnectedTime;
  return h('span', { class: 'presence', 'data-sn': device.SerialNumber },
    badge('offline', 'bad'), ` — ${offlineText(device.OfflineReason)}`,
    since && device.OfflineReason in OFFLINE_REASONS && device.OfflineReason !== 'never_connected'
      ? h('span', { class: 'muted' }, ` since ${time(since)}`) : null);
}

export function syncBadge(status) {
  return badge(status, status === 'Synchronized' ? 'ok' : 'warn');
}

function stateKind(state) {
  if (state === 'Succeeded') return 'ok';
  if (TERMINAL_UPGRADE_STATES.includes(state)) return 'bad';
  return 'busy';
}

// An upgrade's state and its download progress (BytesDone of the artifact's size); a succeeded
// upgrade is complete whatever was downloaded (nothing is, when the device had the file).
export function upgradeProgress(upgrade, size) {
  const done = upgrade.State === 'Succeeded' ? Math.max(1, size) : Number(upgrade.BytesDone) || 0;
  const total = upgrade.State === 'Succeeded' ? Math.max(1, size) : size;
  return h('span', { class: 'upgrade', 'data-upgrade': upgrade.UpgradeId },
    badge(upgrade.State, stateKind(upgrade.State)), ' ',
    progress(done, total, `upgrade ${upgrade.UpgradeId}`),
    upgrade.Detail ? h('span', { class: 'muted' }, ` ${upgrade.Detail}`) : null);
}

// The versions the devices run, as a bar chart: Device firmware, then Dpi signatures.
export function versionsChart(summary) {
  const items = summary.Versions.Version
    .slice()
    .sort((a, b) => (a.VersionType === b.VersionType ? b.Count - a.Count : a.VersionType < b.VersionType ? -1 : 1))
    .map((v) => ({ label: `${v.VersionType} ${v.VersionCode}`, count: v.Count, kind: v.VersionType.toLowerCase() }));
  if (items.length === 0) return h('p', { class: 'empty' }, 'No device has reported a version yet.');
  return barChart(items, { title: 'Versions running' });
}

// Upgrades with their live progress: every upgrade, newest first (operator API ListUpgrades), or
// for a key that may not call it, each visible device's latest upgrade (ListDeviceStates).
import { TERMINAL_UPGRADE_STATES, attempt, deviceStates, versionsByKey } from '../data.js';
import { failure, h, instanceRoute, link, section, table, time } from '../dom.js';
import { upgradeProgress } from '../views.js';

async function load({ client }) {
  const [all, versions] = await Promise.all([
    attempt(() => client.operator('ListUpgrades', { MaxResults: 100 })),
    attempt(() => versionsByKey(client)),
  ]);
  if (!all.error) return { all, versions };
  const latest = await attempt(() => deviceStates(client));
  return { all, versions, latest };
}

function rows(upgrades, sizeOf, regionOf) {
  return upgrades.map((u) => [
    u.SerialNumber,
    u.SmartAGId && regionOf(u) ? link(instanceRoute(regionOf(u), u.SmartAGId), u.SmartAGId) : u.SmartAGId,
    `${u.VersionType} ${u.FromVersion || '?'} → ${u.VersionCode}`,
    upgradeProgress(u, sizeOf(u)), time(u.CreateTime), time(u.UpdateTime)]);
}

const HEADERS = ['Device', 'Instance', 'Version', 'State and progress', 'Started', 'Updated'];

function counts(upgrades) {
  const active = upgrades.filter((u) => !TERMINAL_UPGRADE_STATES.includes(u.State)).length;
  return h('p', { class: 'counts', id: 'upgrade-counts' }, `${active} in progress, ${upgrades.length - active} finished.`);
}

function view(model) {
  if (!model.all.error) {
    const upgrades = model.all.value.Upgrades.Upgrade;
    const versions = model.versions.value || new Map();
    const sizeOf = (u) => (versions.get(`${u.VersionType}/${u.VersionCode}`) || {}).Size || 0;
    return section('Upgrades', counts(upgrades),
      table(HEADERS, rows(upgrades, sizeOf, () => ''), 'No upgrade has run yet.', { id: 'upgrades' }));
  }
  if (model.latest.error) return section('Upgrades', failure(model.all.error), failure(model.latest.error));
  const devices = model.latest.value.Devices.Device.filter((d) => d.LatestUpgrade);
  const region = new Map(devices.map((d) => [d.LatestUpgrade.UpgradeId, d.RegionId]));
  const upgrades = devices.map((d) => d.LatestUpgrade);
  return section('Upgrades', h('p', { class: 'muted' }, 'The latest upgrade of each device this key can see.'),
    counts(upgrades),
    table(HEADERS, rows(upgrades, (u) => u.Size, (u) => region.get(u.UpgradeId)), 'No upgrade has run yet.', { id: 'upgrades' }));
}

export const upgradesPage = { title: 'Upgrades', load, view };

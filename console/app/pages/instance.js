// Instance detail: attributes, devices with their HA roles and presence, each facet's desired and
// applied generation and SynStatus, and the recent changes (facet results and upgrades).
import { attempt, deviceStates } from '../data.js';
import { badge, failure, h, section, table, time } from '../dom.js';
import { rememberOpened } from '../session.js';
import { presence, syncBadge, upgradeProgress } from '../views.js';

async function load({ client, params }) {
  const [region, id] = params;
  const base = { RegionId: region, SmartAGId: id };
  const [attr, ha, states, history] = await Promise.all([
    attempt(() => client.smartag('DescribeSmartAccessGatewayAttribute', base)),
    attempt(() => client.smartag('DescribeSmartAccessGatewayHa', base)),
    attempt(() => deviceStates(client, { SmartAGId: id })),
    attempt(() => client.operator('ListUpgrades', { SmartAGId: id, MaxResults: 20 })),
  ]);
  if (attr.value) rememberOpened(region, id);
  // Without ListDeviceStates, DescribeSAGDeviceInfo still tells each device's presence and sync.
  let infos = [];
  if (states.error && attr.value) {
    infos = await Promise.all(attr.value.Devices.Device.map(async (d) => ({
      sn: d.SerialNumber,
      result: await attempt(() => client.smartag('DescribeSAGDeviceInfo', { ...base, SmartAGSn: d.SerialNumber })),
    })));
  }
  return { region, id, attr, ha, states, history, infos };
}

function attributes(attr) {
  const a = attr.value;
  const rows = [
    ['Name', a.Name], ['Id', a.SmartAGId], ['Status', a.Status], ['Model', a.InstanceType],
    ['Bandwidth', `${a.MaxBandwidth} Mbit/s`], ['CCN', a.AssociatedCcnId ? `${a.AssociatedCcnName} (${a.AssociatedCcnId})` : '—'],
    ['Created', time(a.CreateTime)], ['Ends', time(a.EndTime)], ['Description', a.Description],
  ];
  return h('dl', { class: 'attributes' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v || '—')]));
}

function roleOf(ha, sn, fallback) {
  if (!ha.value) return fallback || '';
  if (ha.value.MainDeviceId === sn) return 'main';
  if (ha.value.BackupDeviceId === sn) return 'standby';
  return fallback || '';
}

function devicesFromStates(model) {
  const devices = model.states.value.Devices.Device;
  const rows = devices.map((d) => [
    d.SerialNumber, roleOf(model.ha, d.SerialNumber, d.HaRole), presence(d), d.SoftwareVersion, d.DpiVersion,
    syncBadge(d.SynStatus), d.LatestUpgrade ? upgradeProgress(d.LatestUpgrade, d.LatestUpgrade.Size) : '—']);
  const facetRows = devices.flatMap((d) => d.Facets.Facet.map((f) => [
    d.SerialNumber, f.Facet, String(f.DesiredGeneration), String(f.AppliedGeneration),
    f.AppliedGeneration >= f.DesiredGeneration ? badge('Synchronized', 'ok') : badge('Unsynchronized', 'warn'),
    f.LastResult ? `${f.LastResult} (generation ${f.ResultGeneration})` : '', f.LastDetail, time(f.UpdateTime)]));
  return [
    table(['Serial number', 'HA role', 'Presence', 'Firmware', 'Dpi', 'SynStatus', 'Latest upgrade'], rows,
      'No device is bound to this instance.', { id: 'instance-devices' }),
    h('h3', {}, 'Facets'),
    table(['Device', 'Facet', 'Desired', 'Applied', 'State', 'Last result', 'Detail', 'Updated'], facetRows,
      'No change was ever sent to these devices.', { id: 'facets' }),
  ];
}

function devicesFromInfos(model) {
  const rows = model.infos.map(({ sn, result }) => {
    if (result.error) return [sn, roleOf(model.ha, sn), failure(result.error), '', '', '', ''];
    const i = result.value;
    return [sn, roleOf(model.ha, sn),
      i.ControllerState === 'Normal' ? badge('online', 'ok') : badge('offline', 'bad'),
      i.Version, i.DpiVersion, syncBadge(i.SynStatus),
      i.UpgradeState ? `${i.UpgradeState} ${i.UpgradeVersionType} ${i.UpgradeVersion}` : '—'];
  });
  return [
    table(['Serial number', 'HA role', 'Presence', 'Firmware', 'Dpi', 'SynStatus', 'Latest upgrade'], rows,
      'No device is bound to this instance.', { id: 'instance-devices' }),
    failure(model.states.error),
  ];
}

// Facet results and upgrades, newest first.
function recentChanges(model) {
  const changes = [];
  if (model.states.value) {
    for (const d of model.states.value.Devices.Device) {
      for (const f of d.Facets.Facet) {
        if (!f.UpdateTime) continue;
        const what = f.LastResult
          ? `${f.Facet} generation ${f.ResultGeneration}: ${f.LastResult}${f.LastDetail ? ` (${f.LastDetail})` : ''}`
          : `${f.Facet} generation ${f.DesiredGeneration} sent`;
        changes.push({ at: f.UpdateTime, sn: d.SerialNumber, what });
      }
    }
  }
  const upgrades = model.history.value ? model.history.value.Upgrades.Upgrade
    : model.states.value ? model.states.value.Devices.Device.map((d) => d.LatestUpgrade).filter(Boolean) : [];
  for (const u of upgrades) {
    changes.push({ at: u.UpdateTime, sn: u.SerialNumber, what: `${u.VersionType} ${u.FromVersion || '?'} → ${u.VersionCode}: ${u.State}${u.Detail ? ` (${u.Detail})` : ''}` });
  }
  changes.sort((a, b) => b.at - a.at);
  return table(['When', 'Device', 'Change'], changes.slice(0, 30).map((c) => [time(c.at), c.sn, c.what]),
    'No changes yet.', { id: 'changes' });
}

function view(model) {
  const title = model.attr.value ? `${model.attr.value.Name || model.id}` : model.id;
  const out = [];
  if (model.attr.error) {
    out.push(section(`Instance ${model.id}`, failure(model.attr.error),
      model.attr.error.code && !model.attr.error.denied
        ? h('p', { class: 'muted' }, 'The smartag API shows an account only its own instances.') : null));
  } else {
    out.push(section(title, attributes(model.attr),
      model.ha.value ? h('p', {}, `HA: ${model.ha.value.DeviceLevelBackupType} (backup ${model.ha.value.DeviceLevelBackupState})`) : failure(model.ha.error)));
  }
  if (model.states.value) {
    out.push(section('Devices', devicesFromStates(model)));
  } else if (model.attr.value) {
    out.push(section('Devices', devicesFromInfos(model)));
  } else {
    out.push(section('Devices', failure(model.states.error)));
  }
  if (model.states.value || model.history.value) out.push(section('Recent changes', recentChanges(model)));
  return out;
}

export const instancePage = { title: 'Instance', load, view };

// Fleet overview: instances by region and status, devices online/offline with the reason, the
// versions they run; and, for a key that may not list instances, the instances opened by id.
import { attempt, deviceStates, instances, offlineText } from '../data.js';
import { badge, failure, h, instanceRoute, link, section, table } from '../dom.js';
import { openedInstances } from '../session.js';
import { presence, syncBadge, versionsChart } from '../views.js';

const STATUS_KIND = { Active: 'ok', Init: 'warn', Arrearage: 'bad' };

async function load({ client }) {
  const opened = openedInstances();
  const [list, devices, openedResults] = await Promise.all([
    attempt(() => instances(client)),
    attempt(() => deviceStates(client)),
    Promise.all(opened.map(async (o) => ({
      ...o,
      result: await attempt(() => client.smartag('DescribeSmartAccessGatewayAttribute', { RegionId: o.region, SmartAGId: o.id })),
    }))),
  ]);
  return { list, devices, opened: openedResults };
}

function byRegionAndStatus(items) {
  const statuses = [...new Set(items.map((i) => i.Status))].sort();
  const regions = [...new Set(items.map((i) => i.RegionId || '(all regions)'))].sort();
  const rows = regions.map((r) => {
    const inRegion = items.filter((i) => (i.RegionId || '(all regions)') === r);
    return [r, ...statuses.map((s) => String(inRegion.filter((i) => i.Status === s).length)), String(inRegion.length)];
  });
  return table(['Region', ...statuses, 'Total'], rows, 'No instances.', { class: 'matrix', id: 'instances-by-region' });
}

function instanceRows(items) {
  return items.map((i) => [
    i.RegionId ? link(instanceRoute(i.RegionId, i.SmartAGId), i.Name || i.SmartAGId) : (i.Name || i.SmartAGId),
    i.SmartAGId, i.RegionId, badge(i.Status, STATUS_KIND[i.Status]), i.HardwareVersion, i.SoftwareVersion,
    i.SerialNumber]);
}

function instancesPanel(list) {
  if (list.error) return section('Instances', failure(list.error));
  const items = list.value;
  return section(`Instances (${items.length})`,
    h('h3', {}, 'By region and status'), byRegionAndStatus(items),
    table(['Name', 'Id', 'Region', 'Status', 'Model', 'Version', 'Devices'], instanceRows(items), 'No instances.',
      { id: 'instances' }));
}

function deviceRows(devices) {
  return devices.map((d) => [
    d.SerialNumber,
    d.SmartAGId ? (d.RegionId ? link(instanceRoute(d.RegionId, d.SmartAGId), d.SmartAGId) : d.SmartAGId) : h('span', { class: 'muted' }, 'unbound'),
    d.HaRole, presence(d), d.SoftwareVersion, d.DpiVersion, syncBadge(d.SynStatus)]);
}

function devicesPanel(devices) {
  if (devices.error) return section('Devices', failure(devices.error));
  const { Summary: s, Devices: page, TotalCount } = devices.value;
  const reasons = s.OfflineReasons.OfflineReason;
  return [
    section('Devices',
      h('p', { class: 'counts', id: 'device-counts' },
        badge(`${s.Online} online`, 'ok'), ' ', badge(`${s.Offline} offline`, s.Offline ? 'bad' : ''), ` of ${s.Total}`),
      reasons.length
        ? h('ul', { class: 'reasons' }, reasons.map((r) => h('li', {}, `${r.Count} ${offlineText(r.Reason)}`)))
        : null,
      table(['Serial number', 'Instance', 'HA role', 'Presence', 'Firmware', 'Dpi', 'Sync'], deviceRows(page.Device),
        'No devices.', { id: 'devices' }),
      page.Device.length < TotalCount ? h('p', { class: 'muted' }, `First ${page.Device.length} of ${TotalCount} devices.`) : null),
    section('Versions running', versionsChart(s)),
  ];
}

function openedPanel(opened, listDenied) {
  if (opened.length === 0) {
    return listDenied ? section('Instances opened in this tab', h('p', { class: 'muted' },
      'This key may not list instances; open one by its id above to see it.')) : null;
  }
  const rows = opened.map((o) => (o.result.error
    ? [o.id, o.region, failure(o.result.error)]
    : [link(instanceRoute(o.region, o.id), o.result.value.Name || o.id), o.region, badge(o.result.value.Status, STATUS_KIND[o.result.value.Status])]));
  return section('Instances opened in this tab', table(['Instance', 'Region', 'Status'], rows, '', { id: 'opened' }));
}

function view(model) {
  const listDenied = Boolean(model.list.error && model.list.error.denied);
  return [instancesPanel(model.list), openedPanel(model.opened, listDenied), devicesPanel(model.devices)];
}

// The form that opens an instance by id (kept outside the refreshed part, so typing survives).
function controls({ navigate, regionsList }) {
  const region = h('select', { name: 'region', 'aria-label': 'Region' },
    regionsList.map((r) => h('option', { value: r }, r)));
  const id = h('input', { name: 'instance', placeholder: 'sag-…', 'aria-label': 'Instance id', autocomplete: 'off', required: true });
  return h('form', {
    class: 'open-instance', id: 'open-instance',
    onsubmit: (e) => {
      e.preventDefault();
      const value = id.value.trim();
      if (value) navigate(instanceRoute(region.value, value));
    },
  }, h('label', {}, 'Open an instance by id '), region, ' ', id, ' ', h('button', { type: 'submit' }, 'Open'));
}

export const fleetPage = { title: 'Fleet', load, view, controls };

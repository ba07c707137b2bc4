// Versions and artifacts: the catalogue (operator API ListVersions) with each artifact's size
// and SHA-256, and the versions the devices run.
import { attempt, deviceStates } from '../data.js';
import { badge, bytes, failure, h, section, table, time } from '../dom.js';
import { versionsChart } from '../views.js';

async function load({ client }) {
  const [versions, devices] = await Promise.all([
    attempt(() => client.operator('ListVersions')),
    attempt(() => deviceStates(client, { PageSize: 1 })),
  ]);
  return { versions, devices };
}

function view({ versions, devices }) {
  let catalogue;
  if (versions.error) {
    catalogue = failure(versions.error);
  } else {
    const rows = versions.value.Versions.Version.map((v) => [
      v.VersionType, v.VersionCode, v.VersionName, badge(v.ReleaseType, v.ReleaseType === 'beta' ? 'warn' : ''),
      v.HardwareModels, v.MinDeviceVersion || '', bytes(v.Size), h('code', { title: v.Sha256 }, `${v.Sha256.slice(0, 16)}…`),
      badge(v.Status, v.Status === 'Published' ? 'ok' : 'bad'), time(v.CreateTime)]);
    catalogue = table(['Type', 'Code', 'Name', 'Release', 'Models', 'Needs Device', 'Artifact', 'SHA-256', 'Status', 'Published'],
      rows, 'No version was published.', { id: 'versions' });
  }
  return [
    section('Versions and artifacts', catalogue),
    section('Versions running', devices.error ? failure(devices.error) : versionsChart(devices.value.Summary)),
  ];
}

export const versionsPage = { title: 'Versions', load, view };

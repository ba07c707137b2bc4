// The reads the pages share: each resolves {value} or {error}, so one denied call never hides what
// the other calls returned.

export async function attempt(fn) {
  try {
    return { value: await fn() };
  } catch (error) {
    return { error };
  }
}

const MAX_PAGES = 20;

// Every item of a paged smartag list (PageNumber/PageSize/TotalCount), up to MAX_PAGES pages.
async function allPages(client, action, params, pick, pageSize) {
  const items = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const r = await client.smartag(action, { ...params, PageNumber: page, PageSize: pageSize });
    const got = pick(r);
    items.push(...got);
    if (got.length === 0 || items.length >= Number(r.TotalCount)) break;
  }
  return items;
}

// The regions, from DescribeRegions; null when the key may not call it.
export async function regions(client) {
  const r = await attempt(() => client.smartag('DescribeRegions'));
  if (r.error) {
    if (r.error.denied) return null;
    throw r.error;
  }
  return r.value.Regions.Region.map((x) => x.RegionId);
}

// The key's instances, each with its RegionId ('' when the regions could not be listed), listed
// region by region (list items carry no region).
export async function instances(client, filter = {}) {
  const pick = (r) => r.SmartAccessGateways.SmartAccessGateway;
  const list = await regions(client);
  if (list === null) {
    return (await allPages(client, 'DescribeSmartAccessGateways', filter, pick, 50)).map((i) => ({ ...i, RegionId: '' }));
  }
  const perRegion = await Promise.all(list.map(async (region) =>
    (await allPages(client, 'DescribeSmartAccessGateways', { ...filter, RegionId: region }, pick, 50))
      .map((i) => ({ ...i, RegionId: region }))));
  return perRegion.flat();
}

// ListDeviceStates (operator API): one page of devices and the summary of all that match.
export function deviceStates(client, params = {}) {
  return client.operator('ListDeviceStates', { PageSize: 100, ...params });
}

// Versions of the catalogue by "Type/Code" (operator only).
export async function versionsByKey(client) {
  const r = await client.operator('ListVersions');
  const map = new Map();
  for (const v of r.Versions.Version) map.set(`${v.VersionType}/${v.VersionCode}`, v);
  return map;
}

export const OFFLINE_REASONS = {
  lease_expired: 'lease expired (no heartbeat)',
  closed: 'connection closed',
  replaced: 'replaced by a newer session',
  server_shutdown: 'sagd shut down',
  never_connected: 'never connected',
  unknown: 'reason not recorded',
};

export function offlineText(reason) {
  return OFFLINE_REASONS[reason] || reason;
}

export const TERMINAL_UPGRADE_STATES = ['Succeeded', 'Failed', 'Reverted', 'TimedOut'];

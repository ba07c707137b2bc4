// Client users of the SAG app instances: name, mail, address, state, bandwidth.
import { attempt, instances } from '../data.js';
import { badge, failure, h, instanceRoute, link, section, table } from '../dom.js';

const MAX_INSTANCES = 20;

async function load({ client }) {
  const apps = await attempt(() => instances(client, { InstanceType: 'software' }));
  if (apps.error) return { apps };
  const users = await Promise.all(apps.value.slice(0, MAX_INSTANCES).map(async (i) => ({
    instance: i,
    result: await attempt(() => client.smartag('DescribeSmartAccessGatewayClientUsers',
      { RegionId: i.RegionId, SmartAGId: i.SmartAGId, PageSize: 100 })),
  })));
  return { apps, users };
}

function view({ apps, users }) {
  if (apps.error) return section('Client users', failure(apps.error));
  if (apps.value.length === 0) return section('Client users', h('p', { class: 'empty' }, 'No SAG app instance.'));
  return users.map(({ instance, result }) => section(`Client users of ${instance.Name || instance.SmartAGId}`,
    h('p', {}, link(instanceRoute(instance.RegionId, instance.SmartAGId), instance.SmartAGId)),
    result.error ? failure(result.error) : [
      table(['User', 'Mail', 'Client IP', 'Static', 'State', 'Bandwidth (kbit/s)'],
        result.value.Users.User.map((u) => [u.UserName, u.UserMail, u.ClientIp, u.IsStaticIp ? 'yes' : 'no',
          Number(u.State) === 1 ? badge('disabled', 'warn') : badge('enabled', 'ok'),
          String(u.Bandwidth)]), 'No client users.', { class: 'users' }),
      result.value.Users.User.length < result.value.TotalCount
        ? h('p', { class: 'muted' }, `First ${result.value.Users.User.length} of ${result.value.TotalCount}.`) : null,
    ]));
}

export const usersPage = { title: 'Client users', load, view };

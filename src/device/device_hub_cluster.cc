// DeviceHub across nodes (DeviceHubOptions::cluster): presence in the store under this node's
// lease, Push routed to the node holding the session, and waits completed by the reports of the
// device from whichever node holds it. Messages (common/cluster_message.h): DesiredChanged and
// KickSession to one node; AppliedReport, ProgressReport and SessionEnded to every node.
#include <variant>

#include "common/log.h"
#include "device/device_hub.h"
#include "device/device_session.h"
#include "device/protocol.h"

namespace sag::device {
namespace {

std::string Holder(std::string_view node_id, std::string_view session_id) {
  return std::string(node_id) + "/" + std::string(session_id);
}

}  // namespace

int64_t DeviceHub::WallNowMs() const { return options_.cluster->wall_clock->NowMs(); }

std::optional<store::DevicePresence> DeviceHub::RemotePresence(
    std::string_view serial_number) const {
  auto presence = store_.GetDevicePresence(serial_number, WallNowMs());
  if (!presence) {
    LogWarn("device " + std::string(serial_number) +
            ": cannot read presence: " + presence.error().detail);
    return std::nullopt;
  }
  // This node's own row without a local session is a session ending right now: offline.
  if (!presence->has_value() || (*presence)->node_id == options_.cluster->node_id) {
    return std::nullopt;
  }
  return *presence;
}

bool DeviceHub::ClaimPresence(const std::string& serial_number, const std::string& session_id) {
  if (!options_.cluster) return false;
  const DeviceHubCluster& cluster = *options_.cluster;
  auto previous =
      store_.ClaimDevicePresence(serial_number, cluster.node_id, session_id, WallNowMs());
  if (!previous) {
    LogWarn("device " + serial_number + ": cannot record presence: " + previous.error().detail);
    return false;
  }
  if (previous->has_value() && (*previous)->node_id != cluster.node_id) {
    // The device reconnected here while another node still holds its old session: close it there.
    cluster.publish((*previous)->node_id,
                    cluster::KickSession{serial_number, (*previous)->session_id, ""});
  }
  return true;
}

void DeviceHub::ReleasePresence(const std::string& serial_number, const std::string& session_id) {
  if (!options_.cluster) return;
  const DeviceHubCluster& cluster = *options_.cluster;
  auto released = store_.ReleaseDevicePresence(serial_number, cluster.node_id, session_id);
  if (!released) {
    LogWarn("device " + serial_number + ": cannot release presence: " + released.error().detail);
  }
  cluster.publish("", cluster::SessionEnded{serial_number, cluster.node_id, session_id});
}

void DeviceHub::ClusterTick() {
  if (!options_.cluster) return;
  const DeviceHubCluster& cluster = *options_.cluster;
  const int64_t now = WallNowMs();
  auto renewed = store_.RenewNodeLease(cluster.node_id, now + cluster.node_lease.count());
  if (!renewed) {
    LogWarn("cluster: cannot renew this node's lease: " + renewed.error().detail);
  } else if (!*renewed) {
    // Created, or re-created after another node expired us (e.g. the database was unreachable for
    // longer than the lease): our sessions' presences were removed with it, so claim them again.
    std::vector<std::pair<std::string, std::string>> sessions;
    {
      std::lock_guard lock(mu_);
      for (const auto& [sn, entry] : online_) sessions.emplace_back(sn, entry.session_id);
    }
    for (const auto& [sn, session_id] : sessions) {
      auto r = store_.ClaimDevicePresence(sn, cluster.node_id, session_id, now);
      if (!r) LogWarn("device " + sn + ": cannot record presence: " + r.error().detail);
    }
  }
  auto expired = store_.ExpireNodes(now);
  if (!expired) {
    LogWarn("cluster: cannot expire dead nodes: " + expired.error().detail);
    return;
  }
  for (const std::string& sn : *expired) {
    LogInfo("device " + sn + " offline (its node's lease expired)");
    auto r = store_.RecordDeviceOffline(sn, kReasonLeaseExpired, clock_.NowMs());
    if (!r) LogWarn("device " + sn + ": cannot record offline: " + r.error().detail);
  }
  if (!expired->empty()) RecheckRemoteWaits();  // waits for their devices end now
}

void DeviceHub::LeaveCluster() {
  if (!options_.cluster) return;
  if (auto r = store_.RemoveNode(options_.cluster->node_id); !r) {
    LogWarn("cluster: cannot remove this node's lease: " + r.error().detail);
  }
}

void DeviceHub::OnClusterResync() { RecheckRemoteWaits(); }

void DeviceHub::OnClusterMessage(const cluster::ClusterMessage& message) {
  if (!options_.cluster) return;
  if (const auto* m = std::get_if<cluster::DesiredChanged>(&message)) {
    if (shutting_down_ || pool_joined_) return;
    boost::asio::post(store_pool_,
                      [this, sn = m->serial_number, facet = m->facet, generation = m->generation] {
                        DeliverDesired(sn, facet, generation);
                      });
  } else if (const auto* k = std::get_if<cluster::KickSession>(&message)) {
    std::shared_ptr<DeviceSession> session;
    {
      std::lock_guard lock(mu_);
      auto it = online_.find(k->serial_number);
      if (it != online_.end() && it->second.session_id == k->session_id) {
        session = it->second.session;
      }
    }
    if (!session) return;
    if (k->why == kReasonSecretChanged) {
      session->Kick(kCloseAuthFailed, kReasonSecretChanged);
    } else {
      session->Kick(kCloseReplaced, kReasonReplaced);
    }
  } else if (const auto* a = std::get_if<cluster::AppliedReport>(&message)) {
    RecordReport(a->serial_number, a->facet, a->generation, a->ok);
  } else if (const auto* p = std::get_if<cluster::ProgressReport>(&message)) {
    RecordReport(p->serial_number, p->facet, p->generation, std::nullopt);
  } else if (const auto* e = std::get_if<cluster::SessionEnded>(&message)) {
    const std::string holder = Holder(e->node_id, e->session_id);
    {
      std::lock_guard lock(mu_);
      remote_ended_[e->serial_number] = holder;
    }
    EndSessionWaits(e->serial_number, /*remote_only=*/true, holder);
  }
}

void DeviceHub::DeliverDesired(const std::string& serial_number, const std::string& facet,
                               int64_t generation) {
  std::shared_ptr<DeviceSession> session;
  {
    std::lock_guard lock(mu_);
    auto it = online_.find(serial_number);
    if (it == online_.end()) return;  // gone meanwhile: the requester's wait sees it offline
    session = it->second.session;
  }
  auto facets = store_.GetDeviceFacets(serial_number);
  if (!facets) {
    LogWarn("device " + serial_number + ": cannot read facets: " + facets.error().detail);
    return;
  }
  for (const store::DeviceFacetRecord& f : *facets) {
    if (f.facet == facet && f.desired_generation >= generation) {
      session->SendDesired(f.facet, f.desired_generation, f.desired_value);
    }
  }
}

}  // namespace sag::device

// DeviceHub across nodes (DeviceHubOptions::cluster): presence in the store under this node's
// lease, Push routed to the node holding the session, and waits completed by the reports of the
// device from whichever node holds it. Messages are JSON objects with "t": desired | kick (to one
// node), applied | progress | offline (to every node).
#include <boost/json.hpp>

#include "common/log.h"
#include "device/device_hub.h"
#include "device/device_session.h"
#include "device/protocol.h"

namespace sag::device {
namespace {

std::string Holder(std::string_view node_id, std::string_view session_id) {
  return std::string(node_id) + "/" + std::string(session_id);
}

std::string StringField(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t IntField(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->get_int64() : 0;
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
    boost::json::object kick{
        {"t", "kick"}, {"sn", serial_number}, {"session", (*previous)->session_id}};
    cluster.publish((*previous)->node_id, boost::json::serialize(kick));
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
  boost::json::object ended{
      {"t", "offline"}, {"sn", serial_number}, {"node", cluster.node_id}, {"session", session_id}};
  cluster.publish("", boost::json::serialize(ended));
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

void DeviceHub::OnClusterMessage(std::string_view message) {
  if (!options_.cluster) return;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(message, ec);
  if (ec || !parsed.is_object()) return;
  const boost::json::object& o = parsed.get_object();
  const std::string type = StringField(o, "t");
  const std::string sn = StringField(o, "sn");
  if (sn.empty()) return;
  if (type == "desired") {
    if (shutting_down_ || pool_joined_) return;
    boost::asio::post(store_pool_,
                      [this, sn, facet = StringField(o, "facet"), generation = IntField(o, "gen")] {
                        DeliverDesired(sn, facet, generation);
                      });
  } else if (type == "kick") {
    const std::string session_id = StringField(o, "session");
    std::shared_ptr<DeviceSession> session;
    {
      std::lock_guard lock(mu_);
      auto it = online_.find(sn);
      if (it != online_.end() && it->second.session_id == session_id) session = it->second.session;
    }
    if (!session) return;
    if (StringField(o, "why") == kReasonSecretChanged) {
      session->Kick(kCloseAuthFailed, kReasonSecretChanged);
    } else {
      session->Kick(kCloseReplaced, kReasonReplaced);
    }
  } else if (type == "applied") {
    const boost::json::value* ok = o.if_contains("ok");
    RecordReport(sn, StringField(o, "facet"), IntField(o, "gen"),
                 ok != nullptr && ok->is_bool() && ok->get_bool());
  } else if (type == "progress") {
    RecordReport(sn, StringField(o, "facet"), IntField(o, "gen"), std::nullopt);
  } else if (type == "offline") {
    const std::string holder = Holder(StringField(o, "node"), StringField(o, "session"));
    {
      std::lock_guard lock(mu_);
      remote_ended_[sn] = holder;
    }
    EndSessionWaits(sn, /*remote_only=*/true, holder);
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

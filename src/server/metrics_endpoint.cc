#include "server/metrics_endpoint.h"

#include "common/crypto.h"
#include "common/log.h"

namespace sag::server {

bool IsMetricsTarget(std::string_view target) {
  return target.substr(0, target.find('?')) == kMetricsPath;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

void AddSampledServerMetrics(api::Metrics& metrics, store::Store& store,
                             const device::DeviceHub& devices, const auth::NonceWindow& nonces,
                             const AuditLog* audit) {
  using api::MetricType;
  using api::Sample;
  metrics.AddSampled(
      "sag_devices_online", "Devices with an online session on this node.", MetricType::kGauge, {},
      [devices = &devices] {
        return std::vector<Sample>{{{}, static_cast<double>(devices->online_count())}};
      });
  metrics.AddSampled(
      "sag_device_sessions_opened_total",
      "Device sessions that became a device's online session on this node.", MetricType::kCounter,
      {}, [devices = &devices] {
        return std::vector<Sample>{{{}, static_cast<double>(devices->sessions_opened())}};
      });
  metrics.AddSampled(
      "sag_device_sessions_closed_total", "Online device sessions that ended on this node.",
      MetricType::kCounter, {}, [devices = &devices] {
        return std::vector<Sample>{{{}, static_cast<double>(devices->sessions_closed())}};
      });
  metrics.AddSampled("sag_upgrades", "Device upgrades in the store, by state (every node).",
                     MetricType::kGauge, {"state"}, [store = &store] {
                       std::vector<Sample> out;
                       auto counts = store->CountUpgradesByState();
                       if (!counts) {
                         LogWarn("metrics: cannot count upgrades: " + counts.error().detail);
                         return out;
                       }
                       for (const auto& [state, n] : *counts) {
                         out.push_back(Sample{{state}, static_cast<double>(n)});
                       }
                       return out;
                     });
  metrics.AddSampled(
      "sag_store_pool_waits_total",
      "Store calls that found no free database connection and waited.", MetricType::kCounter, {},
      [store = &store] {
        return std::vector<Sample>{{{}, static_cast<double>(store->pool_stats().waits)}};
      });
  metrics.AddSampled(
      "sag_store_pool_wait_seconds_total",
      "Time store calls spent waiting for a free database connection.", MetricType::kCounter, {},
      [store = &store] {
        return std::vector<Sample>{{{}, static_cast<double>(store->pool_stats().wait_ns) / 1e9}};
      });
  metrics.AddSampled("sag_nonce_window_nonces", "Signature nonces this node's replay window holds.",
                     MetricType::kGauge, {}, [nonces = &nonces] {
                       return std::vector<Sample>{{{}, static_cast<double>(nonces->size())}};
                     });
  metrics.AddSampled("sag_nonce_window_keys", "AccessKeys with nonces in the replay window.",
                     MetricType::kGauge, {}, [nonces = &nonces] {
                       return std::vector<Sample>{{{}, static_cast<double>(nonces->keys())}};
                     });
  if (audit != nullptr) {
    metrics.AddSampled("sag_audit_events_written_total",
                       "Audit events this node wrote to the store.", MetricType::kCounter, {},
                       [audit] {
                         return std::vector<Sample>{{{}, static_cast<double>(audit->written())}};
                       });
    metrics.AddSampled("sag_audit_events_failed_total",
                       "Audit events this node could not write (logged as errors).",
                       MetricType::kCounter, {}, [audit] {
                         return std::vector<Sample>{{{}, static_cast<double>(audit->failed())}};
                       });
  }
}

api::HttpResponse ServeMetrics(const api::HttpRequest& request, const api::Metrics& metrics,
                               std::string_view token, bool loopback) {
  auto text = [](int status, std::string body) {
    api::HttpResponse r;
    r.status = status;
    r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    r.body = std::move(body);
    return r;
  };
  if (request.method != "GET" && request.method != "HEAD") {
    auto r = text(405, "only GET and HEAD\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (!token.empty()) {
    const std::string expected = "Bearer " + std::string(token);
    if (!ConstantTimeEquals(request.Header("authorization"), expected)) {
      auto r = text(401, "a valid --metrics-token is required\n");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
  } else if (!loopback) {
    return text(403, "sagd does not listen on loopback: start it with --metrics-token\n");
  }
  api::HttpResponse r;
  r.headers.emplace_back("Content-Type", std::string(api::kMetricsContentType));
  r.headers.emplace_back("Cache-Control", "no-store");
  if (request.method == "GET") r.body = metrics.Render();
  return r;
}

}  // namespace sag::server

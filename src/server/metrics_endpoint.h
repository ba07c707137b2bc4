// sagd's /metrics (docs/metrics.md): the figures sampled at each scrape (devices online, device
// sessions, upgrades by state, store pool waits, nonce window, audit trail) and who may read them:
// anyone when sagd listens on loopback and no --metrics-token is set; otherwise only a request
// carrying "Authorization: Bearer <token>".
#pragma once

#include <string>
#include <string_view>

#include "api/http_types.h"
#include "api/metrics.h"
#include "auth/nonce_window.h"
#include "device/device_hub.h"
#include "server/audit_log.h"
#include "store/store.h"

namespace sag::server {

inline constexpr std::string_view kMetricsPath = "/metrics";

// True when the request target's path is /metrics.
bool IsMetricsTarget(std::string_view target);

// True for a listen host that only this machine can reach (127.0.0.0/8, ::1, localhost).
bool IsLoopbackHost(std::string_view host);

// What sagd samples at every scrape; every argument must outlive metrics (audit may be null).
void AddSampledServerMetrics(api::Metrics& metrics, store::Store& store,
                             const device::DeviceHub& devices, const auth::NonceWindow& nonces,
                             const AuditLog* audit);

// Answers a /metrics request: 200 with the exposition; 401 (WWW-Authenticate: Bearer) when token
// is set and the request does not carry it; 403 when token is empty and sagd does not listen on
// loopback; 405 for a method other than GET or HEAD.
api::HttpResponse ServeMetrics(const api::HttpRequest& request, const api::Metrics& metrics,
                               std::string_view token, bool loopback);

}  // namespace sag::server

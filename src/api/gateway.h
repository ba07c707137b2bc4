// The API gateway: turns one HTTP request into one response. It parses and merges parameters,
// verifies signature V1 or V3, the timestamp window and nonce replay, resolves the caller, checks
// RAM policies, validates required parameters and runs the operation. Blocking (it reads the
// store): call it from a worker thread, never from a network thread. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "api/http_types.h"
#include "api/response.h"
#include "auth/credential_cache.h"
#include "auth/policy.h"
#include "auth/replay_guard.h"
#include "common/clock.h"
#include "ops/op.h"

namespace sag::api {

// Gateway settings.
struct GatewayOptions {
  bool test_mode = false;                        // enables test-only operator actions
  int64_t timestamp_window_ms = 15 * 60 * 1000;  // allowed |client time - server time|
};

class Gateway {
 public:
  // services, nonces and wall_clock must outlive the gateway. wall_clock checks request
  // timestamps (real time); services.clock is business time.
  Gateway(ops::OpServices& services, auth::ReplayGuard& nonces, const Clock& wall_clock,
          GatewayOptions options);

  // Handles one request; never throws. Unexpected failures become InternalError (logged with
  // their detail, never shown to the client).
  HttpResponse Handle(const HttpRequest& request);

 private:
  struct CallState;
  Result<boost::json::object, ApiError> Process(const HttpRequest& request, CallState& state);
  // The credential behind key_id, from the cache or the store.
  Result<auth::CachedCredential, ApiError> LoadCredential(const std::string& key_id,
                                                          int64_t now_ms);
  // The parsed policies of a RAM user, from the cache or the store.
  Result<std::vector<auth::Policy>, ApiError> LoadPolicies(const ops::Principal& principal,
                                                           int64_t now_ms);

  ops::OpServices& services_;
  auth::ReplayGuard& nonces_;
  const Clock& wall_clock_;
  GatewayOptions options_;
};

}  // namespace sag::api

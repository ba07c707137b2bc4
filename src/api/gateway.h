// The API gateway: turns one HTTP request into one response. It parses and merges parameters,
// verifies signature V1 or V3, the timestamp window and nonce replay, resolves the caller, checks
// RAM policies, validates required parameters and runs the operation. An operation waiting for a
// device suspends the call (ops/op.h): the gateway hands the wait to the device channel and
// completes the response when the device answers or the wait times out, holding no thread
// meanwhile. Blocking (it reads the store): call Handle from a worker thread, never from a network
// thread. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "api/call_observer.h"
#include "api/delayed_answers.h"
#include "api/http_types.h"
#include "api/response.h"
#include "api/suspended_calls.h"
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
  // Calls of one account that may wait for a device at once (running or suspended); more are
  // refused with Throttling.User.
  int max_suspended_per_account = 100;
  // Told of every answered call, and completes it (metrics, audit trail); null: answers at once.
  CallObserver* observer = nullptr;
};

class Gateway {
 public:
  // services, nonces and wall_clock must outlive the gateway. wall_clock checks request
  // timestamps (real time); services.clock is business time.
  Gateway(ops::OpServices& services, auth::ReplayGuard& nonces, const Clock& wall_clock,
          GatewayOptions options);

  // Handles one request and completes it through respond: before returning, or, for a call that
  // waits for a device, later on a device-channel thread (the request's data it needs is kept
  // with the suspended call). Never throws. Unexpected failures become InternalError (logged with
  // their detail, never shown to the client).
  void Handle(const HttpRequest& request, Respond respond);

  // An upload authorized from its header alone (see AuthorizeUpload). Opaque.
  struct UploadTicket;
  // Checks a call whose body is streamed to a file (an artifact upload) before any byte of that
  // body is read: every step Handle takes before the operation, with the x-acs-content-sha256
  // header (required, 64 hex digits) standing for the body's hash in the V3 signature (which covers
  // it). Its nonce is used up now. Returns the ticket to complete the call with, or the error
  // response to send instead of reading the body. Never throws.
  std::variant<std::shared_ptr<const UploadTicket>, HttpResponse> AuthorizeUpload(
      const HttpRequest& header_only);
  // Runs an authorized upload's operation with the body in request.body_file. A body whose
  // SHA-256 is not the one signed is SignatureDoesNotMatch. Completes it through respond, like
  // Handle. Never throws.
  void CompleteUpload(const UploadTicket& ticket, const HttpRequest& request, Respond respond);

 private:
  struct CallState;
  struct AuthorizedCall;
  Result<boost::json::object, ApiError> Process(const HttpRequest& request, CallState& state);
  // Every step before the operation. payload_sha256: the body's hash as signed, or null to hash
  // request.body.
  Result<AuthorizedCall, ApiError> Authorize(const HttpRequest& request, CallState& state,
                                             const std::string* payload_sha256);
  Result<boost::json::object, ApiError> RunUpload(const UploadTicket& ticket,
                                                  const HttpRequest& request);
  // The response for a call's outcome, recorded in the request journal; server-side failures are
  // logged with their detail.
  HttpResponse Answer(const CallState& state, const Result<boost::json::object, ApiError>& result);
  // Answer without the journal.
  HttpResponse Render(const CallState& state, const Result<boost::json::object, ApiError>& result);
  // Records the call's outcome in services_.journal (if any), with the parameters it carried
  // that nothing read.
  void Journal(const CallState& state, const Result<boost::json::object, ApiError>& result,
               std::vector<std::string> unread_parameters);
  // Step 10a, fault rules (sagd --test-mode): the error of the first rule that matches the call
  // (never an operator-only action's), after noting in state when to send it.
  Result<void, ApiError> ApplyFaultRules(const AuthorizedCall& call, CallState& state);
  // Answers the call (journalled, Answer) through the observer (when there is one) and respond.
  void Finish(const CallState& state, const Result<boost::json::object, ApiError>& result,
              Respond respond);
  // Hands the rendered response of the call to the observer (when there is one) and respond.
  void Deliver(const CallState& state, const Result<boost::json::object, ApiError>& result,
               HttpResponse response, Respond respond);
  // Step 10 for an operation that may suspend: takes a slot of the caller's account, runs the
  // handler and leaves a suspension (with the slot) in state.
  ops::OpResult RunSuspending(const ops::OpSpec& op, ops::OpContext& ctx, CallState& state);
  // Hands the suspension left in state to the device channel; respond runs when it ends.
  void Suspend(std::shared_ptr<CallState> state, Respond respond);
  // The credential behind key_id, from the cache or the store.
  Result<auth::CachedCredential, ApiError> LoadCredential(const std::string& key_id,
                                                          int64_t now_ms);

  ops::OpServices& services_;
  auth::ReplayGuard& nonces_;
  const Clock& wall_clock_;
  GatewayOptions options_;
  SuspendedCalls suspended_;
  DelayedAnswers delayed_;  // fault rules' DelayMs
};

}  // namespace sag::api

// What the gateway tells about every call it answers, for the metrics and the audit trail
// (server/call_recorder.h is the observer sagd uses).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "api/http_types.h"

namespace sag::api {

// One answered call. Carries no parameter value, so no secret or password.
struct CallRecord {
  std::string api = {};  // the API's RAM service ("smartag", "opensag"); "" when no version matched
  std::string action = {};     // one of the API's actions; "" when the action is none of them
  bool changes_state = false;  // not a Describe*, List* or Get* action
  std::string code = {};       // "Success" or the error Code
  int http_status = 200;
  double seconds = 0;  // from the request's arrival to its answer
  // Known once the signature was verified ("" before).
  std::string account_id = {};
  std::string user_name = {};
  std::string access_key_id = {};
  std::string resource_arn = {};  // the ARN the call's RAM check is made on
  std::string source_address = {};
  std::string request_id = {};
  int64_t end_ms = 0;  // real time of the answer
};

// Completes one call with its response; called exactly once, from any thread.
using Respond = std::function<void(HttpResponse)>;

class CallObserver {
 public:
  virtual ~CallObserver() = default;
  // Called once per answered call, on the thread that answers it; must call respond(response)
  // exactly once, at once or later from another thread (e.g. once the call's audit event is
  // durable), and never block.
  virtual void Answered(const CallRecord& call, HttpResponse response, Respond respond) = 0;
};

}  // namespace sag::api

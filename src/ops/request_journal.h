// The request journal: what this node received and answered, most recent calls first, kept in
// memory and bounded (sagd --journal-size; the oldest entry is dropped first). It serves the
// operator API's ListRequests and GetRequest (docs/operator-api.md "Request journal"). Entries
// never hold a secret: RedactParameters replaces the values of signatures, secrets and passwords
// before an entry is built. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ops/params.h"

namespace sag::ops {

// The value a redacted parameter shows.
inline constexpr std::string_view kRedacted = "[redacted]";
// An entry keeps at most this many parameters (and names at most this many unread ones), each
// name and value cut to kMaxJournalValueBytes bytes, so one entry stays small whatever was sent.
inline constexpr size_t kMaxJournalParameters = 64;
inline constexpr size_t kMaxJournalValueBytes = 256;

// One answered call.
struct JournalEntry {
  std::string request_id;
  int64_t time_ms = 0;  // when the call arrived (wall clock)
  std::string action;
  std::string version;
  std::string account_id;  // "" when the caller was not established
  std::string user_name;
  std::string access_key_id;
  int http_status = 0;
  std::string code;  // "" for a success
  std::string message;
  int64_t latency_us = 0;     // from the request's arrival to its answer
  std::string fault_rule_id;  // the fault rule that answered the call, or ""
  // The parameters as received (values redacted and cut), in name order, and whether some were
  // left out.
  std::vector<std::pair<std::string, std::string>> parameters;
  bool parameters_truncated = false;
  // For a call that reached its operation: the parameters it carried that nothing read (names cut
  // like parameters, at most kMaxJournalParameters).
  std::vector<std::string> unread_parameters;
};

// True for a parameter whose value is never journaled: Signature, SecurityToken, or a name
// containing "secret" or "password" (any case).
bool IsRedactedParameter(std::string_view name);
// The parameters as an entry shows them: at most kMaxJournalParameters, values redacted or cut.
// *truncated tells whether some were left out.
std::vector<std::pair<std::string, std::string>> RedactParameters(const Params& params,
                                                                  bool* truncated);

// What ListRequests selects; empty fields do not filter.
struct JournalFilter {
  std::string target_action;  // an action name, or a glob with '*' and '?'
  std::string account_id;
  std::string code;  // exact; "OK" selects the successes
  size_t max_results = 100;
};

class RequestJournal {
 public:
  // Keeps at most capacity entries (0: keeps none).
  explicit RequestJournal(size_t capacity) : capacity_(capacity) {}

  void Add(JournalEntry entry);
  // The newest entries first, up to filter.max_results.
  std::vector<JournalEntry> List(const JournalFilter& filter) const;
  std::optional<JournalEntry> Get(std::string_view request_id) const;
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<JournalEntry> entries_;  // oldest first; guarded by mu_
};

}  // namespace sag::ops

// The messages nodes exchange over the cluster's notification channels: one struct per kind, one
// encoder and one parser, so that no component reads another's JSON by hand. Each message is a JSON
// object whose "t" names its kind; the field names below are the wire format (a node of another
// version reads what it knows and ignores the rest).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace sag::cluster {

// To the node holding the device's session: send the device its desired facet (read from the
// store) of at least this generation. {"t":"desired","sn","facet","gen"}
struct DesiredChanged {
  std::string serial_number;
  std::string facet;
  int64_t generation = 0;
};

// To the node holding session_id of the device: close it; why is the close reason
// ("" = replaced by a newer session). {"t":"kick","sn","session","why"}
struct KickSession {
  std::string serial_number;
  std::string session_id;
  std::string why;
};

// To every node: the device reported generation of facet applied (ok) or failed.
// {"t":"applied","sn","facet","gen","ok"}
struct AppliedReport {
  std::string serial_number;
  std::string facet;
  int64_t generation = 0;
  bool ok = false;
};

// To every node: the device reported progress on generation of facet (an acknowledgement).
// {"t":"progress","sn","facet","gen"}
struct ProgressReport {
  std::string serial_number;
  std::string facet;
  int64_t generation = 0;
};

// To every node: the device's session session_id on node_id ended. {"t":"offline","sn","node",
// "session"}
struct SessionEnded {
  std::string serial_number;
  std::string node_id;
  std::string session_id;
};

// To every node: cached credentials are stale. kKey: the AccessKey `first`; kUser: the user
// (`first` = account id, `second` = user name); kAccountPolicies: every policy of the account
// `first`. {"t":"credentials","k":"key"|"user"|"policies","a","b"}
struct CredentialsChanged {
  enum class Kind { kKey, kUser, kAccountPolicies };
  Kind kind = Kind::kKey;
  std::string first;
  std::string second;
};

// To every node: a setting changed (sent by the PostgreSQL store itself, see
// store/pg/pg_store.h). {"t":"setting","key"}
struct SettingChanged {
  std::string key;
};

using ClusterMessage = std::variant<DesiredChanged, KickSession, AppliedReport, ProgressReport,
                                    SessionEnded, CredentialsChanged, SettingChanged>;

// The message as published.
std::string EncodeClusterMessage(const ClusterMessage& message);

// The message payload carries; nullopt for anything else (not JSON, no known "t", a field of the
// wrong type, no serial number where the kind needs one).
std::optional<ClusterMessage> ParseClusterMessage(std::string_view payload);

}  // namespace sag::cluster

// The shape of an operation: a handler from the call's context (caller, parameters, the services
// it may use: store, clocks, device channel) to a JSON body or an ApiError, and its spec: what the
// gateway checks before calling it (required parameters, RAM resource, who may call it). Each
// operation's source file defines its handler and its spec side by side; ops/registry.cc lists the
// specs. An operation that must wait for a device's answer returns a Suspension instead of
// blocking: the gateway hands the wait to the device channel and completes the call when the
// answer (or the timeout) comes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json.hpp>

#include "auth/credential_cache.h"
#include "common/api_error.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/result.h"
#include "ops/device_control.h"
#include "ops/fault_rules.h"
#include "ops/params.h"
#include "ops/request_journal.h"
#include "store/store.h"

namespace sag::ops {

// The success body of an operation, without RequestId (the gateway adds it first).
using OpResult = Result<boost::json::object, ApiError>;

// Who is calling, resolved from the AccessKey.
struct Principal {
  std::string account_id;
  std::string user_name;
  bool is_root = false;      // the account's root user: not subject to RAM policies
  bool is_operator = false;  // the account is the operator account
};

// What operations may use besides their parameters. Owned by the server; shared by all calls.
struct OpServices {
  store::Store& store;
  const Clock& clock;        // business time (expiry, schedules); moved by the test clock
  OffsetClock* test_clock;   // non-null only with --test-mode
  const SecretBox& secrets;  // seals AccessKey secrets at rest
  // --device-registry open: BindSerialNumber registers unknown well-formed serial numbers itself;
  // closed: only devices the operator registered can be bound.
  bool open_device_registry = true;
  // The device channel; null when sagd runs without one (then no device is ever online).
  DeviceControl* devices = nullptr;
  // How long ModifySAGAdminPassword waits for the device to confirm (--admin-password-timeout-ms).
  int64_t admin_password_timeout_ms = 10000;
  // Authentication cache; operations that change keys, users or policies invalidate it (may be
  // null, e.g. in unit tests).
  auth::CredentialCache* credentials = nullptr;
  // Software versions (docs/semantics.md "Versions"): where artifacts are kept (content-addressed,
  // "<data>/artifacts"), the key of per-device download tokens, how long
  // UpdateSmartAccessGatewayVersion waits for a device to acknowledge an upgrade
  // (--upgrade-ack-timeout-ms) and how long an upgrade may take in all (--upgrade-timeout-ms).
  std::string artifact_dir = {};
  std::string artifact_token_key = {};
  int64_t upgrade_ack_timeout_ms = 5000;
  int64_t upgrade_timeout_ms = 30 * 60 * 1000;
  // The request journal the gateway records every answered call in (sagd --journal-size); null:
  // nothing is recorded.
  RequestJournal* journal = nullptr;
  // Fault rules (sagd --test-mode only; null otherwise): the gateway answers a matching call with
  // the rule's error instead of running it.
  FaultRules* faults = nullptr;
};

// One call's context.
struct OpContext {
  OpServices& services;
  const Principal& principal;
  const Params& params;
  std::string region_id;  // the RegionId parameter, already checked to be a known region, or ""
  // The request body when it is not a form (e.g. an artifact), and whether the signature covers it
  // (signature V3 hashes the body; V1 does not).
  std::string_view body = {};
  bool body_signed = false;
  // Or, for a body the listener streamed to a file (an artifact upload): the file's path (the
  // operation may rename it into place; otherwise it is removed after the call), its size and its
  // SHA-256 (lower-case hex). body_signed tells whether the signature covers it.
  std::string_view body_file = {};
  uint64_t body_file_size = 0;
  std::string_view body_file_sha256 = {};

  store::Store& store() const { return services.store; }
  int64_t now_ms() const { return services.clock.NowMs(); }
};

// What a suspending operation waits for, and how its call ends afterwards.
struct Suspension {
  DeviceWait wait;
  // Turns how the wait ended into the call's result. Runs once, after the handler returned, on a
  // device-channel thread (see DeviceControl::AwaitDevice): it must not refer to the OpContext or
  // anything else of the handler's frame; it captures by value what it needs (OpServices and what
  // it refers to outlive every call).
  std::function<OpResult(WaitOutcome)> resume;
};

// What a suspending handler returns: the call's result now, or the wait it suspends on.
using OpStep = std::variant<OpResult, Suspension>;

// A required parameter and the error its absence yields (the gateway's MissingParameter unless the
// operation documents another code, e.g. SAG.InstanceIdEmpty).
struct RequiredParam {
  std::string_view name = {};
  ApiErrorId missing_error = ApiErrorId::kMissingParameter;
};

// What RAM authorizes the call against.
enum class ResourceKind {
  kAll,          // "*"  (list and account-level actions)
  kInstance,     // acs:smartag:{region}:{account}:smartag/{value of resource_param}
  kAnyInstance,  // acs:smartag:{region}:{account}:smartag/*   (creation)
  kCcn,          // acs:smartag:{region}:{account}:ccn/{value of resource_param}
  kAnyCcn,       // acs:smartag:{region}:{account}:ccn/*   (creation)
  kAcl,          // acs:smartag:{region}:{account}:acl/{value of resource_param}
  kAnyAcl,       // acs:smartag:{region}:{account}:acl/*   (creation)
};

// The static description of one operation.
struct OpSpec {
  std::string_view action = {};
  OpResult (*handler)(OpContext&) = nullptr;
  // Set instead of handler by an operation that may wait for a device. While it runs or is
  // suspended such a call holds one of its account's suspended-call slots (the gateway refuses
  // calls beyond them with Throttling.User).
  OpStep (*suspending_handler)(OpContext&) = nullptr;
  std::vector<RequiredParam> required = {};
  ResourceKind resource = ResourceKind::kAll;
  std::string_view resource_param = {};
  bool operator_only = false;   // only the operator account may call it
  bool test_mode_only = false;  // only with sagd --test-mode
};

// An API version the gateway serves: its Version string, the RAM service prefix of its actions
// ("smartag" -> "smartag:DescribeRegions"), and its operations.
struct ApiProduct {
  std::string_view version;
  std::string_view ram_service;
  const std::vector<const OpSpec*>* ops;
};

}  // namespace sag::ops

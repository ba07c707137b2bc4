// Helpers shared by the store tests: a per-process scratch directory, outcome names for assertions,
// printable dumps of records, and record builders. Header-only: the build compiles *_test.cc only.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <unistd.h>

#include "store/store.h"
#include "store/store_error.h"

namespace sag::store::testing {

// A directory private to this test process, removed at exit.
inline const std::filesystem::path& ScratchDir() {
  struct Dir {
    Dir() {
      std::string templ =
          (std::filesystem::temp_directory_path() / "sag_store_test.XXXXXX").string();
      if (mkdtemp(templ.data()) == nullptr) {
        std::perror("mkdtemp");
        std::abort();
      }
      path = templ;
      owner = getpid();
    }
    ~Dir() {
      if (getpid() == owner) {  // a forked child must not remove its parent's files
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
      }
    }
    std::filesystem::path path;
    pid_t owner;
  };
  static const Dir dir;
  return dir.path;
}

// A new file path inside ScratchDir() that no other call returns.
inline std::string NewDatabasePath() {
  static std::atomic<int> next{0};
  return (ScratchDir() / ("db-" + std::to_string(next++) + ".sqlite")).string();
}

// "OK", or the error code's name ("NotFound", ...): assertions on outcomes read naturally.
template <typename R>
std::string Outcome(const R& result) {
  return result.has_value() ? std::string("OK")
                            : std::string(StoreErrorCodeName(result.error().code));
}

// Every field of a record, for whole-record comparisons with readable failure messages.
inline std::string Dump(const AccountRecord& r) {
  std::ostringstream out;
  out << "id=" << r.id << " name=" << r.name << " is_operator=" << r.is_operator
      << " create_ms=" << r.create_ms;
  return out.str();
}

inline std::string Dump(const UserRecord& r) {
  std::ostringstream out;
  out << "account_id=" << r.account_id << " name=" << r.name << " display_name=" << r.display_name
      << " is_root=" << r.is_root << " create_ms=" << r.create_ms;
  return out.str();
}

inline std::string Dump(const AccessKeyRecord& r) {
  std::ostringstream out;
  out << "id=" << r.id << " account_id=" << r.account_id << " user_name=" << r.user_name
      << " sealed_secret=";
  for (char c : r.sealed_secret) {
    constexpr char kHex[] = "0123456789abcdef";
    const auto byte = static_cast<unsigned char>(c);
    out << kHex[byte >> 4] << kHex[byte & 0xf];
  }
  out << " enabled=" << r.enabled << " create_ms=" << r.create_ms;
  return out.str();
}

inline std::string Dump(const PolicyRecord& r) {
  std::ostringstream out;
  out << "account_id=" << r.account_id << " name=" << r.name << " description=" << r.description
      << " document=" << r.document << " create_ms=" << r.create_ms;
  return out.str();
}

inline std::string Dump(const InstanceRecord& r) {
  std::ostringstream out;
  out << "id=" << r.id << " account_id=" << r.account_id << " region_id=" << r.region_id
      << " name=" << r.name << " description=" << r.description << " status=" << r.status
      << " instance_type=" << r.instance_type << " hardware_spec=" << r.hardware_spec
      << " ha_type=" << r.ha_type << " max_bandwidth=" << r.max_bandwidth
      << " cidr_block=" << r.cidr_block << " routing_strategy=" << r.routing_strategy
      << " security_lock_threshold=" << r.security_lock_threshold << " position=" << r.position
      << " enable_software_connection_audit=" << r.enable_software_connection_audit
      << " charge_type=" << r.charge_type << " period_months=" << r.period_months
      << " order_id=" << r.order_id << " resource_group_id=" << r.resource_group_id
      << " ccn_id=" << r.ccn_id << " user_count=" << r.user_count << " data_plan=" << r.data_plan
      << " create_ms=" << r.create_ms << " end_ms=" << r.end_ms << " serial_numbers=[";
  for (size_t i = 0; i < r.serial_numbers.size(); ++i) {
    out << (i == 0 ? "" : ",") << r.serial_numbers[i];
  }
  out << "]";
  return out.str();
}

inline std::string Dump(const DeviceRecord& r) {
  std::ostringstream out;
  out << "serial_number=" << r.serial_number << " hardware_model=" << r.hardware_model
      << " sealed_secret=" << r.sealed_secret << " secret_generated=" << r.secret_generated
      << " retired=" << r.retired << " create_ms=" << r.create_ms << " account_id=" << r.account_id
      << " instance_id=" << r.instance_id << " bound_ms=" << r.bound_ms;
  return out.str();
}

inline std::string Dump(const CcnRecord& r) {
  std::ostringstream out;
  out << "id=" << r.id << " account_id=" << r.account_id << " region_id=" << r.region_id
      << " name=" << r.name << " description=" << r.description << " cidr_block=" << r.cidr_block
      << " is_default=" << r.is_default << " interworking_status=" << r.interworking_status
      << " create_ms=" << r.create_ms << " instance_count=" << r.instance_count;
  return out.str();
}

// Names of outcomes, for assertions that read naturally ("Bound", "InstanceFull", ...).
inline std::string Name(BindOutcome o) {
  switch (o) {
    case BindOutcome::kBound:
      return "Bound";
    case BindOutcome::kInstanceNotFound:
      return "InstanceNotFound";
    case BindOutcome::kDeviceUnknown:
      return "DeviceUnknown";
    case BindOutcome::kDeviceRetired:
      return "DeviceRetired";
    case BindOutcome::kModelMismatch:
      return "ModelMismatch";
    case BindOutcome::kBoundElsewhere:
      return "BoundElsewhere";
    case BindOutcome::kAlreadyBoundHere:
      return "AlreadyBoundHere";
    case BindOutcome::kInstanceFull:
      return "InstanceFull";
  }
  return "?";
}

inline std::string Name(UnbindOutcome o) {
  switch (o) {
    case UnbindOutcome::kUnbound:
      return "Unbound";
    case UnbindOutcome::kInstanceNotFound:
      return "InstanceNotFound";
    case UnbindOutcome::kNotBoundHere:
      return "NotBoundHere";
  }
  return "?";
}

inline std::string Name(ActivateOutcome o) {
  switch (o) {
    case ActivateOutcome::kActivated:
      return "Activated";
    case ActivateOutcome::kAlreadyActive:
      return "AlreadyActive";
    case ActivateOutcome::kInstanceNotFound:
      return "InstanceNotFound";
    case ActivateOutcome::kNoDevice:
      return "NoDevice";
  }
  return "?";
}

inline std::string Name(CcnBindOutcome o) {
  switch (o) {
    case CcnBindOutcome::kBound:
      return "Bound";
    case CcnBindOutcome::kInstanceNotFound:
      return "InstanceNotFound";
    case CcnBindOutcome::kCcnNotFound:
      return "CcnNotFound";
    case CcnBindOutcome::kBoundToOther:
      return "BoundToOther";
    case CcnBindOutcome::kAlreadyBound:
      return "AlreadyBound";
  }
  return "?";
}

inline std::string Name(CcnUnbindOutcome o) {
  switch (o) {
    case CcnUnbindOutcome::kUnbound:
      return "Unbound";
    case CcnUnbindOutcome::kInstanceNotFound:
      return "InstanceNotFound";
    case CcnUnbindOutcome::kCcnNotFound:
      return "CcnNotFound";
    case CcnUnbindOutcome::kNotBound:
      return "NotBound";
  }
  return "?";
}

inline std::string Name(const DesiredResult& r) {
  switch (r.outcome) {
    case DesiredOutcome::kSet:
      return "Set " + std::to_string(r.generation);
    case DesiredOutcome::kUnsynchronized:
      return "Unsynchronized";
  }
  return "?";
}

// The outcome's name when the call succeeded, else the store error's name (e.g. "Unavailable").
template <typename R>
std::string OutcomeName(const R& result) {
  return result.has_value() ? Name(*result) : std::string(StoreErrorCodeName(result.error().code));
}

// An instance with every field set to a distinct, non-default value.
inline InstanceRecord MakeInstance(const std::string& account_id, const std::string& region_id,
                                   const std::string& id, int64_t create_ms) {
  InstanceRecord r;
  r.id = id;
  r.account_id = account_id;
  r.region_id = region_id;
  r.name = "name-" + id;
  r.description = "description of " + id;
  r.status = InstanceStatus::kActive;
  r.instance_type = "hardware";
  r.hardware_spec = "sag-100wm";
  r.ha_type = HaType::kWarmBackup;
  r.max_bandwidth = 50;
  r.cidr_block = "192.168.0.0/24,10.0.0.0/16";
  r.routing_strategy = "static";
  r.security_lock_threshold = 600;
  r.position = "Hangzhou";
  r.enable_software_connection_audit = true;
  r.charge_type = "PREPAY";
  r.period_months = 12;
  r.order_id = "order-" + id;
  r.resource_group_id = "rg-default";
  r.ccn_id = "ccn-1";
  r.user_count = 5;
  r.data_plan = 7;
  r.create_ms = create_ms;
  r.end_ms = create_ms + 1000;
  return r;
}

}  // namespace sag::store::testing

// Asserts that a StoreResult holds a value, printing the error detail otherwise.
#define ASSERT_STORE_OK(expr)                                                       \
  do {                                                                              \
    const auto& sag_store_result_ = (expr);                                         \
    ASSERT_TRUE(sag_store_result_.has_value()) << sag_store_result_.error().detail; \
  } while (false)
#define EXPECT_STORE_OK(expr)                                                       \
  do {                                                                              \
    const auto& sag_store_result_ = (expr);                                         \
    EXPECT_TRUE(sag_store_result_.has_value()) << sag_store_result_.error().detail; \
  } while (false)

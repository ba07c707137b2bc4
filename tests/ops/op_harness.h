// Calls operations in milliseconds, the way the gateway does once a request is authenticated:
// ops::CheckCall (who may call it, required parameters, region, RAM), then the handler; a call that
// suspends on a device wait is ended by the recording device channel
// (tests/ops/recording_devices.h) as the test told it to answer. Behind it: SQLite in memory, a
// FakeClock, a customer account whose root user calls by default, the operator account, and the
// services sagd builds.
//
//   OpHarness h;
//   auto sag = h.NewActiveInstance();             // an Active hardware instance with one device
//   EXPECT_API_ERROR(h.Call("BindSerialNumber", {{"RegionId", "cn-shanghai"},
//                                                {"SmartAGId", "sag-x"},
//                                                {"SerialNumber", "sage62x000001"}}),
//                    400, "SAG.InstanceNoFound", "The specified SAG instance does not exist.");
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "ops/op.h"
#include "ops/recording_devices.h"
#include "ops/registry.h"
#include "store/store.h"

namespace sag::ops::testing {

// A call's answer as the wire shows it: status, and Code and Message (errors) or the body.
struct CallOutcome {
  int status = 200;
  std::string code = {};     // "" on success
  std::string message = {};  // "" on success
  boost::json::object body = {};
  bool ok() const { return status == 200; }
};

// Name/value pairs of a call's parameters.
using ParamInit = std::initializer_list<std::pair<std::string, std::string>>;

// Success when outcome is exactly the error (status, Code and Message); for EXPECT_API_ERROR.
::testing::AssertionResult IsApiError(const CallOutcome& outcome, int status, std::string_view code,
                                      std::string_view message);
// Success when outcome is a success; for EXPECT_API_OK.
::testing::AssertionResult IsApiOk(const CallOutcome& outcome);

// EXPECT_API_ERROR(h.Call(...), 400, "Code", "Message"): the call answered exactly that error.
// docs/testing.md's table of documented codes is made from these lines
// (scripts/gen-ops-codes-doc.py): write the action's name as the first argument of the Call.
#define EXPECT_API_ERROR(outcome, status, code, message) \
  EXPECT_TRUE(::sag::ops::testing::IsApiError((outcome), (status), (code), (message)))
#define EXPECT_API_OK(outcome) EXPECT_TRUE(::sag::ops::testing::IsApiOk(outcome))

// The region the harness's instances and CCNs live in.
inline constexpr std::string_view kRegion = "cn-shanghai";

class OpHarness {
 public:
  // The business clock starts at 2023-11-14T22:13:20Z.
  static constexpr int64_t kStartMs = 1'700'000'000'000;

  OpHarness();
  ~OpHarness();

  store::Store& store() { return *store_; }
  FakeClock& clock() { return clock_; }
  RecordingDevices& devices() { return devices_; }
  OpServices& services() { return *services_; }
  // Calls as if sagd ran with --test-mode (false until set).
  void set_test_mode(bool on) { test_mode_ = on; }

  // The customer account's root user (the default caller), the operator's root user.
  const Principal& customer() const { return customer_; }
  const Principal& operator_root() const { return operator_; }
  // A new account (its root user).
  Principal NewAccount(const std::string& name);
  // A RAM user of the customer account with the given policy document attached ("" = none).
  Principal NewRamUser(const std::string& name, const std::string& policy_document = "");

  // Calls a smartag action as the customer's root user.
  CallOutcome Call(std::string_view action, ParamInit params);
  // Calls action of the API version as caller.
  CallOutcome CallAs(const Principal& caller, std::string_view action, ParamInit params,
                     std::string_view version = kSmartagVersion);
  CallOutcome CallAs(const Principal& caller, std::string_view action, const Params& params,
                     std::string_view version = kSmartagVersion);

  // Set-up through the operations themselves (each fails the test when its call fails):
  // a hardware instance of spec ("sag-100wm", "sag-1000", "sag-vcpe") and HA type, Init.
  std::string NewInstance(std::string_view hardware_spec = "sag-100wm",
                          std::string_view ha_type = "no_backup");
  // A device registered by the operator (model: the instance spec it is meant for).
  std::string NewDevice(std::string_view model = "sag-100wm");
  // Binds serial_number to instance.
  void Bind(const std::string& instance, const std::string& serial_number);
  // An Active hardware instance with one bound device, online, reporting firmware; returns the
  // instance id (its device: DeviceOf).
  std::string NewActiveInstance(std::string_view hardware_spec = "sag-100wm",
                                std::string_view firmware = "2.0.0");
  // The device that NewActiveInstance bound to instance.
  std::string DeviceOf(const std::string& instance) const;
  // A CCN of the customer, its id.
  std::string NewCcn(std::string_view name = "ccn-test");
  // A SAG app (software) instance with the given client-user CIDR block ("" = none), its id.
  std::string NewAppInstance(std::string_view cidr = "10.10.0.0/24", int user_count = 5);
  // The device says it is connected, running firmware (as its hello records it).
  void Connect(const std::string& serial_number, std::string_view firmware = "2.0.0");
  // Binds instance to ccn (BindSmartAccessGateway).
  void BindCcn(const std::string& instance, const std::string& ccn);
  // A client user of a SAG app instance, with a valid password; its name.
  std::string NewClientUser(const std::string& app_instance, std::string_view name = "alice-01");
  // The operator published version_code of type ("Device" or "Dpi") for the models (comma-joined).
  void PublishVersion(std::string_view type, std::string_view version_code,
                      std::string_view models = "sag-100wm,sag-1000,sag-vcpe",
                      std::string_view min_device_version = "");
  // Moves the business clock past the end of every instance bought for 12 months: expired.
  void ExpireInstances();

 private:
  FakeClock clock_{kStartMs};
  SecretBox secrets_;
  std::unique_ptr<store::Store> store_;
  RecordingDevices devices_;
  std::unique_ptr<OpServices> services_;
  bool test_mode_ = false;
  Principal customer_;
  Principal operator_;
  int next_serial_ = 1;
  std::map<std::string, std::string> device_of_;
};

}  // namespace sag::ops::testing

#include "ops/op_harness.h"

#include <optional>
#include <variant>

#include <gtest/gtest.h>

#include "ops/account_setup.h"
#include "ops/call_checks.h"
#include "store/sqlite/sqlite_store.h"

namespace sag::ops::testing {
namespace {

CallOutcome FromResult(const OpResult& result) {
  CallOutcome out;
  if (result) {
    out.body = *result;
    return out;
  }
  out.status = result.error().http_status();
  out.code = std::string(result.error().code());
  out.message = result.error().message();
  return out;
}

Params ToParams(ParamInit init) {
  Params p;
  for (const auto& [name, value] : init) p.Set(name, value);
  return p;
}

std::unique_ptr<store::Store> OpenMemoryStore() {
  auto s = store::SqliteStore::Open(":memory:", 1);
  if (!s) {
    ADD_FAILURE() << "SqliteStore::Open(:memory:): " << s.error();
    return nullptr;
  }
  return std::move(*s);
}

Principal SetUp(store::Store& store, const SecretBox& secrets, int64_t now_ms,
                const std::string& name, bool is_operator) {
  auto created = SetUpAccount(store, secrets, now_ms, name, is_operator);
  if (!created) {
    ADD_FAILURE() << "SetUpAccount: " << created.error().code() << " "
                  << created.error().internal_detail();
    return {};
  }
  return Principal{created->account.id, std::string(kRootUserName), true, is_operator};
}

}  // namespace

::testing::AssertionResult IsApiError(const CallOutcome& outcome, int status, std::string_view code,
                                      std::string_view message) {
  if (outcome.status == status && outcome.code == code && outcome.message == message) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "answered " << outcome.status << " " << outcome.code << " \"" << outcome.message
         << "\"\n expected " << status << " " << code << " \"" << message << "\"";
}

::testing::AssertionResult IsApiOk(const CallOutcome& outcome) {
  if (outcome.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "answered " << outcome.status << " " << outcome.code
                                       << " \"" << outcome.message << "\"";
}

// Fails the test (at the helper's caller) when a set-up call did not succeed.
void ExpectOk(const CallOutcome& outcome) { EXPECT_TRUE(IsApiOk(outcome)); }

OpHarness::OpHarness()
    : secrets_(std::string(SecretBox::kKeySize, 'k')),
      store_(OpenMemoryStore()),
      devices_(*store_, clock_) {
  services_ = std::make_unique<OpServices>(OpServices{.store = *store_,
                                                      .clock = clock_,
                                                      .test_clock = nullptr,
                                                      .secrets = secrets_,
                                                      .open_device_registry = false,
                                                      .devices = &devices_,
                                                      .admin_password_timeout_ms = 10000,
                                                      .credentials = nullptr,
                                                      .artifact_dir = {},
                                                      .artifact_token_key = "token-key",
                                                      .upgrade_ack_timeout_ms = 5000,
                                                      .upgrade_timeout_ms = 30 * 60 * 1000});
  operator_ = SetUp(*store_, secrets_, clock_.NowMs(), "operator", /*is_operator=*/true);
  customer_ = SetUp(*store_, secrets_, clock_.NowMs(), "customer", /*is_operator=*/false);
}

OpHarness::~OpHarness() = default;

Principal OpHarness::NewAccount(const std::string& name) {
  return SetUp(*store_, secrets_, clock_.NowMs(), name, /*is_operator=*/false);
}

Principal OpHarness::NewRamUser(const std::string& name, const std::string& policy_document) {
  const int64_t now = clock_.NowMs();
  auto user = store_->CreateUser(store::UserRecord{customer_.account_id, name, name, false, now});
  EXPECT_TRUE(user.has_value()) << "CreateUser: " << user.error().detail;
  if (!policy_document.empty()) {
    const std::string policy = name + "-policy";
    auto created = store_->CreatePolicy(
        store::PolicyRecord{customer_.account_id, policy, "", policy_document, now});
    EXPECT_TRUE(created.has_value()) << "CreatePolicy: " << created.error().detail;
    auto attached = store_->AttachPolicy(customer_.account_id, policy, name);
    EXPECT_TRUE(attached.has_value()) << "AttachPolicy: " << attached.error().detail;
  }
  return Principal{customer_.account_id, name, false, false};
}

CallOutcome OpHarness::Call(std::string_view action, ParamInit params) {
  return CallAs(customer_, action, ToParams(params));
}

CallOutcome OpHarness::CallAs(const Principal& caller, std::string_view action, ParamInit params,
                              std::string_view version) {
  return CallAs(caller, action, ToParams(params), version);
}

CallOutcome OpHarness::CallAs(const Principal& caller, std::string_view action,
                              const Params& params, std::string_view version) {
  const ApiProduct* product = FindProduct(version);
  const OpSpec* op = product == nullptr ? nullptr : FindOp(*product, action);
  if (op == nullptr) {
    ADD_FAILURE() << "no operation " << action << " in version " << version;
    return CallOutcome{.status = 404, .code = "InvalidAction.NotFound"};
  }
  auto region = CheckCall(*services_, CallToCheck{.product = *product,
                                                  .op = *op,
                                                  .principal = caller,
                                                  .params = params,
                                                  .test_mode = test_mode_,
                                                  .now_ms = clock_.NowMs()});
  if (!region) return FromResult(MakeUnexpected(region.error()));
  OpContext ctx{*services_, caller, params, *region};
  if (op->suspending_handler == nullptr) return FromResult(op->handler(ctx));
  OpStep step = op->suspending_handler(ctx);
  if (auto* result = std::get_if<OpResult>(&step)) return FromResult(*result);
  // Suspended: the device channel ends the wait later, on its own thread; here, at once.
  Suspension suspension = std::move(std::get<Suspension>(step));
  std::optional<OpResult> resumed;
  devices_.AwaitDevice(std::move(suspension.wait),
                       [&](WaitOutcome outcome) { resumed = suspension.resume(outcome); });
  devices_.EndWaits();
  if (!resumed) {
    ADD_FAILURE() << action << ": the wait did not end";
    return CallOutcome{.status = 500, .code = "InternalError"};
  }
  return FromResult(*resumed);
}

std::string OpHarness::NewInstance(std::string_view hardware_spec, std::string_view ha_type) {
  auto r = Call("CreateSmartAccessGateway",
                {{"RegionId", std::string(kRegion)},
                 {"ChargeType", "PREPAY"},
                 {"HaType", std::string(ha_type)},
                 {"HardWareSpec", std::string(hardware_spec)},
                 {"MaxBandWidth", hardware_spec == "sag-100wm" ? "10" : "20"},
                 {"Period", "12"},
                 {"AutoPay", "true"},
                 {"BuyerMessage", "unit test order"},
                 {"ReceiverAddress", "No. 1 Road"},
                 {"ReceiverCity", "Hangzhou"},
                 {"ReceiverCountry", "China"},
                 {"ReceiverDistrict", "West Lake"},
                 {"ReceiverEmail", "ops@example.com"},
                 {"ReceiverMobile", "18840850000"},
                 {"ReceiverName", "John Doe"},
                 {"ReceiverState", "Zhejiang"},
                 {"ReceiverTown", "Zhuantang"},
                 {"ReceiverZip", "310000"}});
  ExpectOk(r);
  return r.ok() ? std::string(r.body["SmartAGId"].as_string()) : std::string();
}

std::string OpHarness::NewDevice(std::string_view model) {
  const std::string sn = "sage62x" + std::to_string(100000 + next_serial_++);
  ExpectOk(CallAs(operator_, "RegisterDevice",
                  {{"SerialNumber", sn},
                   {"HardwareModel", std::string(model)},
                   {"DeviceSecret", "device-secret-0123456789"}},
                  kOperatorVersion));
  return sn;
}

void OpHarness::Bind(const std::string& instance, const std::string& serial_number) {
  ExpectOk(Call("BindSerialNumber", {{"RegionId", std::string(kRegion)},
                                     {"SmartAGId", instance},
                                     {"SerialNumber", serial_number}}));
}

void OpHarness::Connect(const std::string& serial_number, std::string_view firmware) {
  auto r = store_->RecordDeviceConnected(serial_number, firmware, "1.0.0", clock_.NowMs(),
                                         clock_.NowMs());
  EXPECT_TRUE(r.has_value()) << "RecordDeviceConnected: " << r.error().detail;
  devices_.SetOnline(serial_number, true);
}

std::string OpHarness::NewActiveInstance(std::string_view hardware_spec,
                                         std::string_view firmware) {
  const std::string id = NewInstance(hardware_spec);
  if (hardware_spec == "sag-vcpe") {  // sold Active, with the device sagd issued for it
    auto in = store_->GetInstance(customer_.account_id, std::string(kRegion), id);
    EXPECT_TRUE(in.has_value() && !in->serial_numbers.empty());
    if (!in || in->serial_numbers.empty()) return id;
    const std::string issued = in->serial_numbers.front();
    Connect(issued, firmware);
    device_of_[id] = issued;
    return id;
  }
  const std::string sn = NewDevice(hardware_spec);
  Bind(id, sn);
  Connect(sn, firmware);
  ExpectOk(
      Call("ActivateSmartAccessGateway", {{"RegionId", std::string(kRegion)}, {"SmartAGId", id}}));
  device_of_[id] = sn;
  return id;
}

std::string OpHarness::DeviceOf(const std::string& instance) const {
  auto it = device_of_.find(instance);
  return it == device_of_.end() ? std::string() : it->second;
}

std::string OpHarness::NewCcn(std::string_view name) {
  auto r = Call(
      "CreateCloudConnectNetwork",
      {{"RegionId", std::string(kRegion)}, {"Name", std::string(name)}, {"IsDefault", "false"}});
  ExpectOk(r);
  return r.ok() ? std::string(r.body["CcnId"].as_string()) : std::string();
}

std::string OpHarness::NewAppInstance(std::string_view cidr, int user_count) {
  Params p = ToParams({{"RegionId", std::string(kRegion)},
                       {"ChargeType", "PREPAY"},
                       {"DataPlan", "5"},
                       {"Period", "12"},
                       {"UserCount", std::to_string(user_count)},
                       {"AutoPay", "true"}});
  if (!cidr.empty()) p.Set("CidrBlock", std::string(cidr));
  auto r = CallAs(customer_, "CreateSmartAccessGatewaySoftware", p);
  ExpectOk(r);
  return r.ok() ? std::string(r.body["SmartAGId"].as_string()) : std::string();
}

void OpHarness::BindCcn(const std::string& instance, const std::string& ccn) {
  ExpectOk(Call("BindSmartAccessGateway",
                {{"RegionId", std::string(kRegion)}, {"SmartAGId", instance}, {"CcnId", ccn}}));
}

std::string OpHarness::NewClientUser(const std::string& app_instance, std::string_view name) {
  ExpectOk(Call("CreateSmartAccessGatewayClientUser", {{"RegionId", std::string(kRegion)},
                                                       {"SmartAGId", app_instance},
                                                       {"UserMail", "alice@example.com"},
                                                       {"UserName", std::string(name)},
                                                       {"Password", "Passw0rd_123"},
                                                       {"Bandwidth", "100"}}));
  return std::string(name);
}

void OpHarness::PublishVersion(std::string_view type, std::string_view version_code,
                               std::string_view models, std::string_view min_device_version) {
  store::VersionRecord v;
  v.version_type = std::string(type);
  v.version_code = std::string(version_code);
  v.version_name = std::string(version_code);
  v.release_type = "release";
  v.hardware_models = std::string(models);
  v.sha256 = std::string(64, 'a');
  v.size = 1;
  v.min_device_version = std::string(min_device_version);
  v.create_ms = clock_.NowMs();
  auto r = store_->PublishVersion(v);
  EXPECT_TRUE(r.has_value()) << "PublishVersion: " << r.error().detail;
}

void OpHarness::ExpireInstances() { clock_.Advance(int64_t{400} * 24 * 3600 * 1000); }

}  // namespace sag::ops::testing

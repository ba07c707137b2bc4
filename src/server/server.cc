#include "server/server.h"

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "api/gateway.h"
#include "api/response.h"
#include "api/tls_context.h"
#include "auth/credential_cache.h"
#include "auth/nonce_cache.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/log.h"
#include "device/artifact_http.h"
#include "device/device_hub.h"
#include "device/protocol.h"
#include "ops/account_setup.h"
#include "ops/artifacts.h"
#include "ops/upgrade_engine.h"
#include "server/data_dir.h"
#include "store/pg/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace sag::server {
namespace {

constexpr std::string_view kClockOffsetSetting = "test_clock_offset_ms";

Result<std::unique_ptr<store::Store>, std::string> OpenStore(const ServerConfig& config) {
  std::string url =
      config.store_url.empty() ? "sqlite:" + config.data_dir + "/sag.db" : config.store_url;
  if (url.starts_with("sqlite:")) {
    auto s = store::SqliteStore::Open(url.substr(7), config.worker_threads + 1);
    if (!s) return MakeUnexpected(std::move(s).error());
    return std::unique_ptr<store::Store>(std::move(*s));
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    auto s = store::PgStore::Open(url, config.worker_threads + 1);
    if (!s) return MakeUnexpected(std::move(s).error());
    return std::unique_ptr<store::Store>(std::move(*s));
  }
  return MakeUnexpected("unsupported --store URL (expected sqlite:PATH or postgresql://...)");
}

std::string EnvOr(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// First start of an empty store: the operator account and its root AccessKey.
Result<void, std::string> Bootstrap(store::Store& store, const SecretBox& secrets, int64_t now_ms,
                                    const std::string& data_dir) {
  auto accounts = store.ListAccounts();
  if (!accounts) return MakeUnexpected("cannot read accounts: " + accounts.error().detail);
  if (!accounts->empty()) return {};
  std::string key_id = EnvOr("SAG_ROOT_ACCESS_KEY_ID");
  std::string key_secret = EnvOr("SAG_ROOT_ACCESS_KEY_SECRET");
  if (key_id.empty() != key_secret.empty()) {
    return MakeUnexpected(
        "set both SAG_ROOT_ACCESS_KEY_ID and SAG_ROOT_ACCESS_KEY_SECRET, or neither");
  }
  auto created = ops::SetUpAccount(store, secrets, now_ms, "operator", /*is_operator=*/true, key_id,
                                   key_secret);
  if (!created) {
    return MakeUnexpected(
        "cannot create the operator account: " + std::string(created.error().code()) + " " +
        created.error().internal_detail());
  }
  if (!key_id.empty()) {
    LogInfo("operator account " + created->account.id + " created with root AccessKey " + key_id +
            " from SAG_ROOT_ACCESS_KEY_ID");
    return {};
  }
  std::string path = data_dir + "/root-credentials";
  RETURN_IF_ERROR(WritePrivateFile(
      path, "SAG_ROOT_ACCESS_KEY_ID=" + created->root_key.id +
                "\nSAG_ROOT_ACCESS_KEY_SECRET=" + created->root_key.secret + "\n"));
  LogInfo("operator account " + created->account.id + " created; its root AccessKey " +
          created->root_key.id + " and secret were written to " + path + " (mode 0600)");
  return {};
}

}  // namespace

struct Server::Impl {
  ServerConfig config;
  SystemClock wall_clock;
  OffsetClock business_clock{wall_clock};
  std::unique_ptr<SecretBox> secrets;
  std::unique_ptr<store::Store> store;
  auth::NonceCache nonces;
  auth::CredentialCache credentials;
  std::unique_ptr<device::DeviceHub> devices;
  std::unique_ptr<ops::OpServices> services;
  std::unique_ptr<api::Gateway> gateway;
  std::unique_ptr<api::HttpServer> http;
  std::thread sweeper;
  std::mutex sweeper_mu;
  std::condition_variable sweeper_cv;
  bool sweeper_stop = false;
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>, std::string> Server::Create(const ServerConfig& config) {
  InitCrypto();
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  RETURN_IF_ERROR(EnsureDataDir(config.data_dir));
  ASSIGN_OR_RETURN(std::string master_key, config.master_key_file.empty()
                                               ? LoadOrCreateMasterKey(config.data_dir)
                                               : LoadMasterKeyFile(config.master_key_file));
  // Download tokens are keyed by a key derived from the master key, so every node sharing the
  // master key accepts the tokens of the others, and nothing new is stored.
  const std::string artifact_token_key = HmacSha256(master_key, "opensag artifact token key v1");
  impl->secrets = std::make_unique<SecretBox>(std::move(master_key));
  ASSIGN_OR_RETURN(impl->store, OpenStore(config));

  if (config.test_mode) {
    auto offset = impl->store->GetSetting(kClockOffsetSetting);
    if (offset && offset->has_value()) {
      impl->business_clock.set_offset_ms(std::stoll(**offset));
    }
  }
  RETURN_IF_ERROR(
      Bootstrap(*impl->store, *impl->secrets, impl->business_clock.NowMs(), config.data_dir));

  device::DeviceHubOptions hub_options;
  hub_options.lease = std::chrono::milliseconds(config.device_lease_ms);
  hub_options.heartbeat = std::chrono::milliseconds(config.device_heartbeat_ms);
  hub_options.open_registry = config.open_device_registry;
  hub_options.artifact_token_key = artifact_token_key;
  hub_options.upgrade_timeout_ms = config.upgrade_timeout_ms;
  impl->devices = std::make_unique<device::DeviceHub>(*impl->store, *impl->secrets,
                                                      impl->business_clock, hub_options);
  impl->services = std::make_unique<ops::OpServices>(
      ops::OpServices{.store = *impl->store,
                      .clock = impl->business_clock,
                      .test_clock = config.test_mode ? &impl->business_clock : nullptr,
                      .secrets = *impl->secrets,
                      .open_device_registry = config.open_device_registry,
                      .devices = impl->devices.get(),
                      .admin_password_timeout_ms = config.admin_password_timeout_ms,
                      .credentials = &impl->credentials,
                      .artifact_dir = config.data_dir + "/artifacts",
                      .artifact_token_key = artifact_token_key,
                      .upgrade_ack_timeout_ms = config.upgrade_ack_timeout_ms,
                      .upgrade_timeout_ms = config.upgrade_timeout_ms});
  impl->gateway = std::make_unique<api::Gateway>(*impl->services, impl->nonces, impl->wall_clock,
                                                 api::GatewayOptions{config.test_mode});

  api::HttpServerOptions http_options;
  http_options.host = config.listen_host;
  http_options.port = config.listen_port;
  http_options.io_threads = config.io_threads;
  http_options.worker_threads = config.worker_threads;
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    return MakeUnexpected(std::string("set both --tls-cert and --tls-key, or neither"));
  }
  if (!config.tls_cert_file.empty()) {
    ASSIGN_OR_RETURN(http_options.tls,
                     api::MakeServerTlsContext(config.tls_cert_file, config.tls_key_file));
  }
  // PublishVersion carries the artifact as its (V3-signed) body: a larger limit for it alone.
  const uint64_t artifact_limit = static_cast<uint64_t>(config.max_artifact_mb) << 20;
  http_options.body_limit_for =
      [artifact_limit](const boost::beast::http::request<boost::beast::http::string_body>& req) {
        auto action = req.find("x-acs-action");
        return action != req.end() && action->value() == "PublishVersion" ? artifact_limit
                                                                          : uint64_t{0};
      };
  http_options.max_body_limit_for = artifact_limit;
  api::Gateway* gateway = impl->gateway.get();
  store::Store* store_ptr = impl->store.get();
  device::ArtifactHttpConfig artifact_config{config.data_dir + "/artifacts", artifact_token_key};
  impl->http = std::make_unique<api::HttpServer>(
      http_options,
      [gateway, store_ptr, artifact_config](const api::HttpRequest& req) {
        if (std::string_view(req.target).starts_with(ops::kArtifactPathPrefix)) {
          return device::ServeArtifact(req, *store_ptr, artifact_config);
        }
        return gateway->Handle(req);
      },
      [](const api::HttpRequest& req) {
        std::string host = req.Header("host");
        return api::RenderError(ApiError(ApiErrorId::kRequestBodyTooLarge), NewRequestId(),
                                host.empty() ? "smartag.aliyuncs.com" : host, api::Format::kJson);
      });
  device::DeviceHub* hub = impl->devices.get();
  impl->http->SetUpgradeHandler(
      std::string(device::kChannelPath),
      [hub](boost::asio::ip::tcp::socket socket,
            boost::beast::http::request<boost::beast::http::string_body> request) {
        hub->Accept(std::move(socket), std::move(request));
      },
      [hub](api::TlsStream stream,
            boost::beast::http::request<boost::beast::http::string_body> request) {
        hub->Accept(std::move(stream), std::move(request));
      });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

bool Server::Start(std::string* error) {
  if (!impl_->http->Start(error)) return false;
  // The upgrade sweeper: deadlines and queued upgrades (safe on every node).
  Impl* impl = impl_.get();
  impl->sweeper = std::thread([impl] {
    std::unique_lock lock(impl->sweeper_mu);
    while (!impl->sweeper_stop) {
      impl->sweeper_cv.wait_for(lock, std::chrono::seconds(1));
      if (impl->sweeper_stop) break;
      lock.unlock();
      ops::SweepUpgrades(impl->devices->upgrade_env());
      lock.lock();
    }
  });
  return true;
}

bool Server::tls() const { return impl_->http->options().tls != nullptr; }

uint16_t Server::port() const { return impl_->http->port(); }

void Server::Stop() {
  if (!impl_ || !impl_->http) return;
  {
    std::lock_guard lock(impl_->sweeper_mu);
    impl_->sweeper_stop = true;
  }
  impl_->sweeper_cv.notify_all();
  if (impl_->sweeper.joinable()) impl_->sweeper.join();
  impl_->devices->Shutdown();
  impl_->http->Stop();
  impl_->devices->JoinStorePool();
}

}  // namespace sag::server

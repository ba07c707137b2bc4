#include "server/server.h"

#include <cstdlib>
#include <variant>

#include "api/gateway.h"
#include "api/response.h"
#include "api/tls_context.h"
#include "auth/credential_cache.h"
#include "auth/nonce_journal.h"
#include "auth/nonce_window.h"
#include "auth/shared_nonce_window.h"
#include "common/clock.h"
#include "common/cluster_message.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/periodic_task.h"
#include "device/artifact_http.h"
#include "device/device_hub.h"
#include "device/protocol.h"
#include "ops/account_setup.h"
#include "ops/artifacts.h"
#include "ops/upgrade_engine.h"
#include "ops/upgrade_policy.h"
#include "server/audit_log.h"
#include "server/call_recorder.h"
#include "server/console_assets.h"
#include "server/data_dir.h"
#include "server/metrics_endpoint.h"
#include "store/pg/pg_notifier.h"
#include "store/pg/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace sag::server {
namespace {

constexpr std::string_view kClockOffsetSetting = "test_clock_offset_ms";

bool IsPostgresUrl(const std::string& url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

// How often expired nonces are purged from the shared window, and dropped from the local one.
constexpr std::chrono::seconds kNoncePurgeInterval{60};
constexpr std::chrono::seconds kNonceExpireInterval{10};
// How often audit events past their retention are purged, and how many at most each time.
constexpr std::chrono::seconds kAuditPurgeInterval{60};
constexpr int64_t kAuditPurgeBatch = 10000;

Result<std::unique_ptr<store::Store>, std::string> OpenStore(const ServerConfig& config) {
  std::string url =
      config.store_url.empty() ? "sqlite:" + config.data_dir + "/sag.db" : config.store_url;
  if (url.starts_with("sqlite:")) {
    // A connection for each worker, the sweeper, the nonce journal's and the audit trail's
    // writers.
    auto s = store::SqliteStore::Open(url.substr(7), config.worker_threads + 3);
    if (!s) return MakeUnexpected(std::move(s).error());
    return std::unique_ptr<store::Store>(std::move(*s));
  }
  if (IsPostgresUrl(url)) {
    auto s = store::PgStore::Open(url, config.worker_threads + 2);  // + the audit writer
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
  // The replay window: this node's, kept durable by the journal on SQLite, or checked first and
  // then shared with the other nodes (PostgreSQL, with the notification connections and the
  // periodic purge of expired nonces).
  std::unique_ptr<auth::NonceWindow> nonce_window;
  std::unique_ptr<auth::NonceJournal> nonce_journal;
  std::unique_ptr<auth::SharedNonceWindow> shared_nonces;
  std::string node_id;
  std::unique_ptr<store::pg::PgNotifier> notifier;
  // Several nodes: this node's lease and the dead nodes' expiry, and the shared nonces' purge.
  std::unique_ptr<PeriodicTask> cluster_tick;
  std::unique_ptr<PeriodicTask> shared_nonce_purge;
  bool stopped = false;
  std::unique_ptr<auth::CredentialCache> credentials;
  api::Metrics metrics;
  std::unique_ptr<AuditLog> audit;  // before devices: the hub records into it
  std::unique_ptr<device::DeviceHub> devices;
  std::unique_ptr<CallRecorder> call_recorder;
  std::unique_ptr<ops::RequestJournal> journal;
  std::unique_ptr<ops::FaultRules> faults;  // test mode only
  std::unique_ptr<ops::OpServices> services;
  std::unique_ptr<api::Gateway> gateway;
  std::unique_ptr<api::HttpServer> http;
  // The upgrade sweeper (deadlines, queued upgrades, due auto-upgrade windows; safe on every node)
  // and the expiry of the replay window's quiet keys.
  std::unique_ptr<PeriodicTask> upgrade_sweeper;
  std::unique_ptr<PeriodicTask> nonce_expiry;
  std::unique_ptr<PeriodicTask> audit_purge;
};

namespace {

// The business clock's offset, re-read after another node's SetClock (test mode).
void ReloadClockOffset(Server::Impl& impl) {
  if (!impl.config.test_mode) return;
  auto offset = impl.store->GetSetting(kClockOffsetSetting);
  if (!offset) {
    LogWarn("cannot re-read the test clock: " + offset.error().detail);
  } else if (offset->has_value()) {
    try {
      impl.business_clock.set_offset_ms(std::stoll(**offset));
    } catch (const std::exception&) {
      LogWarn("test clock offset setting is not a number");
    }
  }
}

// The one dispatcher of cluster messages: each kind to the component it concerns.
void OnClusterMessage(Server::Impl& impl, const std::string& payload) {
  auto message = cluster::ParseClusterMessage(payload);
  if (!message) {
    LogWarn("cluster: ignoring a message that is not one");
    return;
  }
  if (const auto* credentials = std::get_if<cluster::CredentialsChanged>(&*message)) {
    // Another node changed keys, users or policies: drop what this node cached of them.
    impl.credentials->Apply(*credentials);
  } else if (std::holds_alternative<cluster::SettingChanged>(*message)) {
    ReloadClockOffset(impl);
  } else {
    impl.devices->OnClusterMessage(*message);
  }
}

// Several nodes: listens for the other nodes' messages, takes this node's lease, and starts
// renewing it and purging the shared nonces.
Result<void, std::string> StartCluster(Server::Impl& impl) {
  Server::Impl* raw = &impl;
  impl.notifier = std::make_unique<store::pg::PgNotifier>(
      impl.config.store_url,
      std::vector<std::string>{std::string(store::pg::kClusterChannel),
                               store::pg::NodeChannel(impl.node_id)},
      [raw](const std::string&, const std::string& payload) { OnClusterMessage(*raw, payload); },
      [raw] {
        raw->devices->OnClusterResync();
        ReloadClockOffset(*raw);
        raw->credentials->Clear();  // announcements may have been missed meanwhile
      });
  if (auto r = impl.notifier->Start(); !r) {
    return MakeUnexpected("cluster notifications: " + r.error());
  }
  // This node's credential-cache invalidations reach the other nodes' caches at once.
  impl.credentials->set_announcer([raw](const auth::CacheInvalidation& invalidation) {
    if (auto r = raw->notifier->Publish(std::string(store::pg::kClusterChannel),
                                        cluster::EncodeClusterMessage(invalidation));
        !r) {
      LogWarn("cluster: cannot announce a credential change: " + r.error().detail);
    }
  });
  impl.devices->ClusterTick();  // this node's lease exists before any device can connect
  const auto tick = std::max(std::chrono::milliseconds(impl.config.device_lease_ms / 3),
                             std::chrono::milliseconds(10));
  impl.cluster_tick = std::make_unique<PeriodicTask>(tick, [raw] { raw->devices->ClusterTick(); });
  impl.shared_nonce_purge = std::make_unique<PeriodicTask>(
      kNoncePurgeInterval, [raw] { raw->shared_nonces->Purge(raw->wall_clock.NowMs()); });
  impl.cluster_tick->Start();
  impl.shared_nonce_purge->Start();
  return {};
}

}  // namespace

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>, std::string> Server::Create(const ServerConfig& config) {
  InitCrypto();
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->credentials = std::make_unique<auth::CredentialCache>(config.credential_cache_ttl_ms);
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
  // Nodes starting together on an empty database: one creates the operator account, the others
  // find it (the lock is a PostgreSQL advisory lock).
  std::string bootstrap_error;
  auto locked =
      impl->store->WithClusterLock(store::kBootstrapLockKey, [&]() -> store::StoreResult<void> {
        auto r =
            Bootstrap(*impl->store, *impl->secrets, impl->business_clock.NowMs(), config.data_dir);
        if (!r) bootstrap_error = r.error();
        return {};
      });
  if (!locked) return MakeUnexpected("cannot take the bootstrap lock: " + locked.error().detail);
  if (!bootstrap_error.empty()) return MakeUnexpected(bootstrap_error);
  const bool cluster = IsPostgresUrl(config.store_url);
  impl->nonce_window = std::make_unique<auth::NonceWindow>(auth::NonceWindowOptions{
      .per_key_max = config.nonce_window_per_key, .global_max = config.nonce_window_global});

  device::DeviceHubOptions hub_options;
  hub_options.lease = std::chrono::milliseconds(config.device_lease_ms);
  hub_options.heartbeat = std::chrono::milliseconds(config.device_heartbeat_ms);
  hub_options.hello_timeout = std::chrono::milliseconds(config.device_hello_timeout_ms);
  hub_options.artifact_token_key = artifact_token_key;
  hub_options.upgrade_timeout_ms = config.upgrade_timeout_ms;
  impl->audit = std::make_unique<AuditLog>(*impl->store);
  hub_options.audit = [audit = impl->audit.get()](store::AuditEventRecord event) {
    audit->Record(std::move(event), nullptr);
  };
  if (cluster) {
    impl->node_id = "n" + HexEncode(RandomBytes(8));
    Impl* raw = impl.get();
    hub_options.cluster = device::DeviceHubCluster{
        .node_id = impl->node_id,
        .publish =
            [raw](std::string_view node, const cluster::ClusterMessage& message) {
              const std::string channel = node.empty() ? std::string(store::pg::kClusterChannel)
                                                       : store::pg::NodeChannel(node);
              if (!raw->notifier) return false;
              auto r = raw->notifier->Publish(channel, cluster::EncodeClusterMessage(message));
              if (!r) LogWarn("cluster: cannot publish: " + r.error().detail);
              return r.has_value();
            },
        .wall_clock = &impl->wall_clock,
        .node_lease = std::chrono::milliseconds(config.device_lease_ms),
        .recheck = std::chrono::milliseconds(1000)};
    impl->shared_nonces =
        std::make_unique<auth::SharedNonceWindow>(*impl->nonce_window, *impl->store);
  } else {
    impl->nonce_journal =
        std::make_unique<auth::NonceJournal>(*impl->nonce_window, *impl->store, impl->wall_clock);
  }
  impl->devices = std::make_unique<device::DeviceHub>(*impl->store, *impl->secrets,
                                                      impl->business_clock, hub_options);
  impl->journal = std::make_unique<ops::RequestJournal>(config.journal_size);
  if (config.test_mode) impl->faults = std::make_unique<ops::FaultRules>();
  impl->services = std::make_unique<ops::OpServices>(
      ops::OpServices{.store = *impl->store,
                      .clock = impl->business_clock,
                      .test_clock = config.test_mode ? &impl->business_clock : nullptr,
                      .secrets = *impl->secrets,
                      .open_device_registry = config.open_device_registry,
                      .devices = impl->devices.get(),
                      .admin_password_timeout_ms = config.admin_password_timeout_ms,
                      .credentials = impl->credentials.get(),
                      .artifact_dir = config.data_dir + "/artifacts",
                      .artifact_token_key = artifact_token_key,
                      .upgrade_ack_timeout_ms = config.upgrade_ack_timeout_ms,
                      .upgrade_timeout_ms = config.upgrade_timeout_ms,
                      .journal = impl->journal.get(),
                      .faults = impl->faults.get()});
  impl->call_recorder = std::make_unique<CallRecorder>(impl->metrics, impl->audit.get());
  AddSampledServerMetrics(impl->metrics, *impl->store, *impl->devices, *impl->nonce_window,
                          impl->audit.get());
  auth::ReplayGuard& replay = impl->shared_nonces
                                  ? static_cast<auth::ReplayGuard&>(*impl->shared_nonces)
                                  : static_cast<auth::ReplayGuard&>(*impl->nonce_journal);
  impl->gateway = std::make_unique<api::Gateway>(
      *impl->services, replay, impl->wall_clock,
      api::GatewayOptions{.test_mode = config.test_mode,
                          .max_suspended_per_account = config.max_device_waits_per_account,
                          .observer = impl->call_recorder.get()});

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
  http_options.max_connections = config.max_connections;
  api::Gateway* gateway = impl->gateway.get();
  // PublishVersion carries the artifact as its (V3-signed) body: it is authorized from its header
  // alone, then streamed to a file in the artifact directory, with a larger limit for it alone.
  const std::string artifact_dir = config.data_dir + "/artifacts";
  if (int stale = ops::RemoveStaleUploads(artifact_dir); stale > 0) {
    LogInfo("removed " + std::to_string(stale) + " unfinished upload(s) from " + artifact_dir);
  }
  // Only a V3 call can carry an artifact (V3 signs the body's hash); a form body is parameters.
  // Any other PublishVersion takes the ordinary path and its answers.
  http_options.upload.is_upload = [](const api::WireRequest& header) {
    constexpr std::string_view kForm = "application/x-www-form-urlencoded";
    auto action = header.find("x-acs-action");
    auto authorization = header.find(boost::beast::http::field::authorization);
    auto type = header.find(boost::beast::http::field::content_type);
    return action != header.end() && action->value() == "PublishVersion" &&
           authorization != header.end() && authorization->value().starts_with("ACS3-") &&
           (type == header.end() ||
            !boost::beast::iequals(type->value().substr(0, kForm.size()), kForm));
  };
  http_options.upload.authorize = [gateway](const api::HttpRequest& header) {
    auto authorized = gateway->AuthorizeUpload(header);
    if (auto* refusal = std::get_if<api::HttpResponse>(&authorized)) {
      return api::UploadDecision{std::move(*refusal), nullptr};
    }
    auto ticket = std::get<std::shared_ptr<const api::Gateway::UploadTicket>>(authorized);
    return api::UploadDecision{std::nullopt,
                               [gateway, ticket](api::HttpRequest req, api::Responder respond) {
                                 gateway->CompleteUpload(*ticket, req, std::move(respond));
                               }};
  };
  http_options.upload.dir = artifact_dir;
  http_options.upload.limit = static_cast<uint64_t>(config.max_artifact_mb) << 20;
  http_options.upload.max_concurrent = config.max_uploads;
  store::Store* store_ptr = impl->store.get();
  device::ArtifactHttpConfig artifact_config{config.data_dir + "/artifacts", artifact_token_key};
  const api::Metrics* metrics = &impl->metrics;
  const bool loopback = IsLoopbackHost(config.listen_host);
  impl->http = std::make_unique<api::HttpServer>(
      http_options,
      api::AsyncRequestHandler(
          [gateway, store_ptr, artifact_config, metrics, loopback,
           metrics_token = config.metrics_token](api::HttpRequest req, api::Responder respond) {
            if (std::string_view(req.target).starts_with(ops::kArtifactPathPrefix)) {
              return respond(device::ServeArtifact(req, *store_ptr, artifact_config));
            }
            if (IsConsoleTarget(req.target)) return respond(ServeConsole(req));
            if (IsMetricsTarget(req.target)) {
              return respond(ServeMetrics(req, *metrics, metrics_token, loopback));
            }
            gateway->Handle(req, std::move(respond));
          }),
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
  // Last: nothing after them may fail (the journal's stop would record a run that never served).
  if (impl->nonce_journal) RETURN_IF_ERROR(impl->nonce_journal->Start());
  if (cluster) RETURN_IF_ERROR(StartCluster(*impl));
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

bool Server::Start(std::string* error) {
  impl_->audit->Start();
  if (!impl_->http->Start(error)) return false;
  Impl* impl = impl_.get();
  impl->upgrade_sweeper = std::make_unique<PeriodicTask>(
      std::chrono::milliseconds(impl->config.upgrade_sweep_interval_ms), [impl] {
        ops::SweepUpgrades(impl->devices->upgrade_env());
        ops::RunDueUpgradePolicies(impl->devices->upgrade_env());
      });
  // The audit trail's retention: at start, then every kAuditPurgeInterval.
  impl->audit_purge = std::make_unique<PeriodicTask>(kAuditPurgeInterval, [impl] {
    const int64_t retention_ms = impl->config.audit_retention_days * 24 * 3600 * 1000;
    auto purged =
        impl->store->PurgeAuditEvents(impl->wall_clock.NowMs() - retention_ms, kAuditPurgeBatch);
    if (!purged) LogWarn("audit trail: cannot purge old events: " + purged.error().detail);
  });
  impl->nonce_expiry = std::make_unique<PeriodicTask>(kNonceExpireInterval, [impl] {
    impl->nonce_window->Expire(impl->wall_clock.NowMs());  // the keys that went quiet
  });
  impl->upgrade_sweeper->Start();
  impl->audit_purge->Start();
  impl->audit_purge->Wake();
  impl->nonce_expiry->Start();
  return true;
}

bool Server::tls() const { return impl_->http->options().tls != nullptr; }

uint16_t Server::port() const { return impl_->http->port(); }

void Server::Stop() {
  if (!impl_ || !impl_->http || impl_->stopped) return;
  impl_->stopped = true;
  if (impl_->upgrade_sweeper) impl_->upgrade_sweeper->Stop();
  if (impl_->nonce_expiry) impl_->nonce_expiry->Stop();
  if (impl_->audit_purge) impl_->audit_purge->Stop();
  impl_->devices->Shutdown();
  impl_->http->Stop();
  impl_->audit->Stop();  // every answered call's event is written
  // No request reaches the replay window any more: write every nonce it accepted.
  if (impl_->nonce_journal) impl_->nonce_journal->Stop();
  if (impl_->notifier) impl_->notifier->Stop();  // no more messages into the hub
  impl_->devices->JoinStorePool();
  if (impl_->cluster_tick) impl_->cluster_tick->Stop();
  if (impl_->shared_nonce_purge) impl_->shared_nonce_purge->Stop();
  impl_->devices->LeaveCluster();
}

}  // namespace sag::server

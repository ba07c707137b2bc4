// sagd without main(): builds the store, secrets, clocks, gateway and listener from a config, and
// bootstraps the operator account on first start.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "api/http_server.h"
#include "common/result.h"

namespace sag::server {

// Everything sagd's command line sets.
struct ServerConfig {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8086;
  std::string data_dir = "./sag-data";
  std::string store_url;        // "" = sqlite:<data_dir>/sag.db; or postgresql:// / postgres:// URI
  std::string master_key_file;  // "" = <data_dir>/master.key, created at first start
  bool test_mode = false;
  bool open_device_registry = true;  // --device-registry open|closed
  int io_threads = 2;
  // Request workers; a call waiting for a device is suspended and holds none.
  int worker_threads = 8;
  int64_t admin_password_timeout_ms = 10000;  // --admin-password-timeout-ms
  // Calls of one account that may wait for a device at once (--max-device-waits-per-account);
  // more are Throttling.User.
  int max_device_waits_per_account = 100;
  int64_t device_lease_ms = 30000;          // --device-lease-ms
  int64_t device_heartbeat_ms = 10000;      // --device-heartbeat-ms
  int64_t device_hello_timeout_ms = 10000;  // how long a new device channel may take to prove
  // --tls-cert / --tls-key (PEM): both set makes the listener speak only TLS.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Software versions: how long UpdateSmartAccessGatewayVersion waits for the device to
  // acknowledge (--upgrade-ack-timeout-ms), the deadline of a whole upgrade
  // (--upgrade-timeout-ms), and the largest artifact PublishVersion accepts (--max-artifact-mb).
  int64_t upgrade_ack_timeout_ms = 5000;
  int64_t upgrade_timeout_ms = 30 * 60 * 1000;
  int64_t max_artifact_mb = 256;
  // The nonce replay window's bounds, in nonces: per AccessKey (--nonce-window-per-key) and for all
  // keys together (--nonce-window-global); docs/semantics.md "Nonce window".
  size_t nonce_window_per_key = 20'000'000;
  size_t nonce_window_global = 40'000'000;
  // How many PublishVersion uploads may run at once (--max-uploads), and how many HTTP connections
  // may be open (--max-connections; at the cap the listener stops accepting until one closes).
  int max_uploads = 2;
  int64_t max_connections = 10000;
  // How often the upgrade sweeper runs (upgrade deadlines, queued upgrades, due auto-upgrade
  // windows), and how long a cached credential or policy lives without an invalidation (the bound
  // when a cluster announcement is lost). Tests shorten them so that they wait on conditions.
  int64_t upgrade_sweep_interval_ms = 1000;
  int64_t credential_cache_ttl_ms = 2000;
  // How many answered calls the request journal keeps (--journal-size; the oldest is dropped
  // first; 0 keeps none).
  size_t journal_size = 1000;
  // /metrics (docs/metrics.md): the bearer token it requires (--metrics-token); "" = none, which
  // serves it only when sagd listens on loopback.
  std::string metrics_token;
  // The audit trail keeps events this many days (--audit-retention-days); older ones are purged.
  int64_t audit_retention_days = 90;
};

class Server {
 public:
  // Opens (creating if needed) the data directory and store, migrates the schema, loads or creates
  // the master key, and bootstraps the operator account when the store is empty. Errors are
  // human-readable and fatal for sagd.
  static Result<std::unique_ptr<Server>, std::string> Create(const ServerConfig& config);
  ~Server();

  // Starts listening; false with *error on failure.
  bool Start(std::string* error);
  // The bound port, after Start().
  uint16_t port() const;
  // True when the listener speaks TLS.
  bool tls() const;
  // Drains in-flight requests and stops.
  void Stop();

  struct Impl;  // public so that the wiring's helpers in server.cc can take it

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sag::server

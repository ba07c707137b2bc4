// sagd: the OpenSAG server. See README.md.
#include <cstdio>
#include <iostream>
#include <signal.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "server/server.h"

int main(int argc, char** argv) {
  CLI::App app{"sagd: OpenSAG control plane (smartag 2018-03-13 API, operator API)"};
  std::string listen = "127.0.0.1:8086";
  sag::server::ServerConfig config;
  app.add_option("--listen", listen, "HOST:PORT to serve on (port 0 picks a free one)");
  app.add_option("--data", config.data_dir, "data directory (SQLite store, keys, artifacts)");
  app.add_option(
      "--store", config.store_url,
      "sqlite:PATH (default sqlite:<data>/sag.db), or postgresql://... to share one PostgreSQL "
      "database between several nodes");
  app.add_option("--master-key-file", config.master_key_file,
                 "32-byte key sealing secrets at rest (default <data>/master.key, created at first "
                 "start); nodes sharing one database must share this key");
  app.add_flag("--test-mode", config.test_mode,
               "enable test conveniences (the settable clock) in the operator API");
  std::string registry = "open";
  app.add_option("--device-registry", registry,
                 "open: binding registers unknown serial numbers (local use); closed: only devices "
                 "the operator registered can be bound (production)")
      ->check(CLI::IsMember({"open", "closed"}));
  app.add_option("--io-threads", config.io_threads, "network threads")->check(CLI::Range(1, 64));
  app.add_option("--workers", config.worker_threads, "worker threads for requests")
      ->check(CLI::Range(1, 256));
  app.add_option("--admin-password-timeout-ms", config.admin_password_timeout_ms,
                 "how long ModifySAGAdminPassword waits for the device to confirm")
      ->check(CLI::Range(int64_t{100}, int64_t{600000}));
  app.add_option("--max-device-waits-per-account", config.max_device_waits_per_account,
                 "calls of one account that may wait for a device at once (ModifySAGAdminPassword, "
                 "UpdateSmartAccessGatewayVersion); more are answered Throttling.User")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--upgrade-ack-timeout-ms", config.upgrade_ack_timeout_ms,
                 "UpdateSmartAccessGatewayVersion: how long to wait for the device to acknowledge "
                 "the upgrade before answering GetSmartAccessGatewayStateError")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{600000}));
  app.add_option("--upgrade-timeout-ms", config.upgrade_timeout_ms,
                 "an upgrade not finished this long after dispatch becomes TimedOut")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1000}, int64_t{7} * 24 * 3600 * 1000));
  app.add_option("--upgrade-sweep-interval-ms", config.upgrade_sweep_interval_ms,
                 "how often upgrade deadlines, queued upgrades and due automatic-upgrade windows "
                 "are acted on")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{10}, int64_t{60000}));
  app.add_option("--credential-cache-ttl-ms", config.credential_cache_ttl_ms,
                 "how long a cached AccessKey or RAM policy is used without re-reading it (changes "
                 "made through any node invalidate it at once)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{60000}));
  app.add_option("--max-artifact-mb", config.max_artifact_mb,
                 "largest artifact PublishVersion accepts (MiB)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{4096}));
  app.add_option("--nonce-window-per-key", config.nonce_window_per_key,
                 "the most signature nonces one AccessKey may hold in the 15-minute replay window; "
                 "beyond it the key's calls are Throttling.User until its oldest nonces expire")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1'000'000'000}));
  app.add_option("--nonce-window-global", config.nonce_window_global,
                 "the most nonces all keys together may hold; beyond half of it each key is held "
                 "to its fair share")
      ->capture_default_str()
      ->check(CLI::Range(size_t{2}, size_t{2'000'000'000}));
  app.add_option("--max-uploads", config.max_uploads,
                 "PublishVersion uploads that may run at once; beyond, Throttling")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--max-connections", config.max_connections,
                 "HTTP connections open at once (device channels excluded); at the cap sagd "
                 "stops accepting until one closes")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  app.add_option("--journal-size", config.journal_size,
                 "answered calls the request journal keeps in memory for ListRequests and "
                 "GetRequest (the oldest is dropped first; 0 keeps none)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1'000'000}));
  app.add_option("--device-lease-ms", config.device_lease_ms,
                 "device channel lease: a device silent this long goes offline")
      ->check(CLI::Range(int64_t{100}, int64_t{3600000}));
  app.add_option("--device-heartbeat-ms", config.device_heartbeat_ms,
                 "heartbeat interval told to devices (keep well below the lease)")
      ->check(CLI::Range(int64_t{50}, int64_t{3600000}));
  app.add_option(
         "--tls-cert", config.tls_cert_file,
         "PEM certificate chain: serve only TLS (https://, wss://) with it (needs --tls-key)")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", config.tls_key_file, "PEM private key of --tls-cert")
      ->check(CLI::ExistingFile);
  app.add_option("--metrics-token", config.metrics_token,
                 "bearer token /metrics requires (or SAG_METRICS_TOKEN); without one, /metrics is "
                 "served only when sagd listens on loopback")
      ->envname("SAG_METRICS_TOKEN");
  app.add_option("--audit-retention-days", config.audit_retention_days,
                 "days the audit trail keeps an event (LookupEvents); older ones are purged")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{36500}));
  CLI11_PARSE(app, argc, argv);
  config.open_device_registry = registry == "open";
  umask(077);  // the database, WAL, keys and credentials are for sagd's user only

  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "sagd: --listen must be HOST:PORT\n";
    return 2;
  }
  config.listen_host = listen.substr(0, colon);
  if (config.listen_host.size() > 2 && config.listen_host.front() == '[') {
    config.listen_host = config.listen_host.substr(1, config.listen_host.size() - 2);
  }
  try {
    int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    config.listen_port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    std::cerr << "sagd: bad port in --listen " << listen << "\n";
    return 2;
  }

  // Block the stop signals in every thread; main waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = sag::server::Server::Create(config);
  if (!server) {
    std::cerr << "sagd: " << server.error() << "\n";
    return 1;
  }
  std::string error;
  if (!(*server)->Start(&error)) {
    std::cerr << "sagd: " << error << "\n";
    return 1;
  }
  std::string shown_host = config.listen_host.find(':') != std::string::npos
                               ? "[" + config.listen_host + "]"
                               : config.listen_host;
  std::printf("sagd listening on %s://%s:%u\n", (*server)->tls() ? "https" : "http",
              shown_host.c_str(), (*server)->port());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  sag::LogInfo(sig == SIGTERM ? "SIGTERM: draining" : "SIGINT: draining");
  (*server)->Stop();
  sag::LogInfo("stopped");
  return 0;
}

// sag-device: the reference device agent (docs/device-protocol.md). Runs one device, or
// a fleet of simulated devices in one event-driven process, against sagd's device channel.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "client/http_client.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/tls_client.h"
#include "device/agent/simulated_device.h"

namespace {

namespace asio = boost::asio;

constexpr const char* kFooter = R"(Environment:
  SAG_ENDPOINT        default for --endpoint (else http://127.0.0.1:8086)
  SAG_CA_FILE         default for --ca-file (PEM CA certificates for an https:// endpoint)
  SAG_DEVICE_SECRET   default for --secret (prefer it to the flag: argv is public)

Output: one line per event on stderr; on stdout "sag-device: N online" whenever the number of
welcomed devices changes. SIGTERM/SIGINT close every session (code 1000) and exit 0.
Upgrades: a desired firmware/dpi facet is downloaded with HTTP Range requests (resuming after a
cut), checked against its SHA-256, installed, and the device reboots and reconnects reporting the
new version (progress messages on the way; docs/device-protocol.md section 6). A download refused
with 403 or 404 is not retried; a re-sent generation that already failed is answered failed again.
Fleet: --count N --sn-prefix P runs devices P000001..P00000N; each uses --secret, or
--secret-prefix X giving the secret X<sn>.)";

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::string FleetSerial(const std::string& prefix, int index) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%06d", index);
  return prefix + digits;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sag-device: the OpenSAG reference device agent"};
  app.footer(kFooter);
  std::string endpoint = EnvOr("SAG_ENDPOINT", "http://127.0.0.1:8086");
  std::string sn;
  std::string secret = EnvOr("SAG_DEVICE_SECRET", "");
  std::string ca_file = EnvOr("SAG_CA_FILE", "");
  bool insecure = false;
  std::string secret_prefix;
  int count = 0;
  std::string sn_prefix;
  sag::device::agent::DeviceOptions base;
  int64_t exit_after_ms = 0;
  std::vector<std::string> refuse;
  int threads = 1;
  app.add_option("--endpoint", endpoint,
                 "sagd URL, e.g. http://127.0.0.1:8086 (https:// connects with wss://)");
  app.add_option("--ca-file", ca_file,
                 "PEM CA certificates to trust for https:// (default $SAG_CA_FILE, else the "
                 "system's store)");
  app.add_flag("--insecure", insecure,
               "https:// without verifying the server's certificate: for testing only");
  app.add_option("--sn", sn, "serial number of the one device to run");
  app.add_option("--secret", secret,
                 "device secret, 16-128 characters (env SAG_DEVICE_SECRET): the operator's, or for "
                 "an open-registry device the SecretKey DescribeSmartAccessGatewayAttribute shows");
  app.add_option("--secret-prefix", secret_prefix, "fleet: the secret of device <sn> is X<sn>");
  app.add_option("--count", count, "fleet: number of devices")->check(CLI::Range(1, 1000000));
  app.add_option("--sn-prefix", sn_prefix, "fleet: serial numbers P000001..");
  app.add_option("--model", base.model, "model reported in hello")->capture_default_str();
  app.add_option("--firmware", base.firmware, "initial firmware version")->capture_default_str();
  app.add_option("--dpi", base.dpi, "initial DPI signature version")->capture_default_str();
  app.add_option("--state-dir", base.state_dir, "keep one state file per device here");
  app.add_option("--silent-drop-after-ms", base.silent_drop_after_ms,
                 "after T ms stop sending and reading, keeping the socket open");
  app.add_option("--slow-apply-ms", base.slow_apply_ms, "delay each apply by T ms");
  app.add_option("--refuse", refuse, "answer failed for this facet (repeatable)");
  app.add_option("--flap-every-ms", base.flap_every_ms, "close and reconnect T ms after welcome");
  app.add_option("--exit-after-ms", exit_after_ms, "stop cleanly and exit after T ms");
  app.add_option("--reboot-ms", base.reboot_delay_ms, "simulated reboot duration")
      ->capture_default_str();
  app.add_option("--threads", threads, "io_context threads")->check(CLI::Range(1, 2));
  int max_downloads = 64;
  app.add_option("--download-chunk-bytes", base.download_chunk_bytes,
                 "firmware/dpi download: bytes per HTTP Range request")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1024}, int64_t{64} << 20));
  app.add_option("--max-concurrent-downloads", max_downloads,
                 "fleet: devices downloading at once (each holds one chunk in memory)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_flag("--fail-download", base.fail_download,
               "simulate: every artifact download fails (reports failed)");
  app.add_option("--cut-download-at", base.cut_download_at,
                 "simulate: the first download loses its connection after N bytes and resumes "
                 "with an HTTP Range request");
  app.add_flag("--corrupt-artifact", base.corrupt_artifact,
               "simulate: a byte is flipped on arrival, so the SHA-256 check fails and nothing is "
               "installed (reports failed)");
  app.add_flag("--fail-install", base.fail_install,
               "simulate: the install step fails (reports failed)");
  app.add_flag("--rollback-after-reboot", base.rollback_after_reboot,
               "simulate: after the upgrade's reboot the device boots its old version again and "
               "reports reverted");
  CLI11_PARSE(app, argc, argv);
  base.refuse = std::set<std::string>(refuse.begin(), refuse.end());
  base.download_gate = std::make_shared<sag::device::agent::DownloadGate>(max_downloads);

  auto usage = [](const std::string& message) {
    std::cerr << "sag-device: " << message << "\n";
    return 2;
  };
  if (count > 0) {
    if (sn_prefix.empty()) return usage("--count needs --sn-prefix");
    if (!sn.empty()) return usage("--sn and --count are exclusive");
  } else if (sn.empty()) {
    return usage("--sn (one device) or --count with --sn-prefix (a fleet) is required");
  }
  if (secret.empty() && secret_prefix.empty()) return usage("--secret or --secret-prefix needed");
  auto parsed = sag::client::ParseEndpoint(endpoint);
  if (!parsed) return usage("--endpoint: " + parsed.error());
  sag::InitCrypto();

  asio::io_context ioc;
  sag::device::agent::ChannelTarget target;
  target.host = parsed->authority;
  if (parsed->tls) {
    auto tls = sag::MakeTlsClientContext(ca_file, insecure);
    if (!tls) return usage(tls.error());
    target.tls = std::move(*tls);
    target.tls_peer = parsed->host;
    target.tls_insecure = insecure;
  }
  {
    boost::system::error_code ec;
    asio::ip::tcp::resolver resolver(ioc);
    auto results = resolver.resolve(parsed->host, std::to_string(parsed->port), ec);
    if (ec) return usage("cannot resolve " + parsed->host + ": " + ec.message());
    for (const auto& entry : results) target.endpoints.push_back(entry.endpoint());
  }

  sag::device::agent::Fleet fleet(ioc, &std::cout);
  std::vector<std::string> serials;
  if (count > 0) {
    for (int i = 1; i <= count; ++i) serials.push_back(FleetSerial(sn_prefix, i));
  } else {
    serials.push_back(sn);
  }
  for (const std::string& serial : serials) {
    sag::device::agent::DeviceOptions options = base;
    options.serial_number = serial;
    options.secret = secret_prefix.empty() ? secret : secret_prefix + serial;
    auto added = fleet.Add(std::move(options), target);
    if (!added) return usage(added.error());
  }

  std::atomic<bool> stopping{false};
  asio::steady_timer hard_deadline(ioc);
  auto shutdown = [&](const std::string& why) {
    if (stopping.exchange(true)) return;
    sag::LogInfo("sag-device shutting down (" + why + ")");
    fleet.StopAll([&ioc] { ioc.stop(); });
    hard_deadline.expires_after(std::chrono::seconds(5));
    hard_deadline.async_wait([&ioc](boost::system::error_code ec) {
      if (!ec) ioc.stop();
    });
  };
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (!ec) shutdown(signal == SIGINT ? "SIGINT" : "SIGTERM");
  });
  asio::steady_timer exit_timer(ioc);
  if (exit_after_ms > 0) {
    exit_timer.expires_after(std::chrono::milliseconds(exit_after_ms));
    exit_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) shutdown("--exit-after-ms");
    });
  }

  fleet.StartAll();
  std::thread second;
  if (threads == 2) second = std::thread([&ioc] { ioc.run(); });
  ioc.run();
  ioc.stop();
  if (second.joinable()) second.join();
  std::cout.flush();
  return 0;
}

// SimulatedDevice: one device agent speaking the device channel (docs/device-protocol.md) over an
// asynchronous Boost.Beast WebSocket, driven entirely by an io_context (no thread per device), and
// Fleet: many of them in one process with a count of online devices.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "common/result.h"
#include "device/agent/backoff.h"
#include "device/agent/device_state.h"
#include "device/protocol.h"

namespace sag::device::agent {

// Where the channel is: resolved addresses and the Host header to send.
struct ChannelTarget {
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  std::string host;  // Host header, e.g. "127.0.0.1:8086"
  // wss:// when set (common/tls_client.h), plain ws:// otherwise. tls_peer is the host name or
  // IP address the server's certificate must carry (and the SNI for a name).
  std::shared_ptr<boost::asio::ssl::context> tls;
  std::string tls_peer;
  bool tls_insecure = false;
};

// Bounds how many devices of a fleet download at once (each holds one chunk in memory).
// Thread-safe.
class DownloadGate {
 public:
  explicit DownloadGate(int slots) : free_(slots) {}
  // Runs ready once a slot is free (right away, on this thread, when one is).
  void Acquire(std::function<void()> ready);
  // Frees a slot (and hands it to the next waiter).
  void Release();

 private:
  std::mutex mu_;
  int free_;
  std::deque<std::function<void()>> waiting_;
};

// Identity, defaults and fault simulation of one device.
struct DeviceOptions {
  std::string serial_number;
  std::string secret;  // never logged, never persisted
  std::string model = "sag-1000";
  std::string firmware = "2.0.0";
  std::string dpi = "1.0.0";
  std::string state_dir;               // empty: state kept in memory only
  int64_t silent_drop_after_ms = 0;    // > 0: go silent (socket kept open) this long after start
  int64_t slow_apply_ms = 0;           // > 0: delay every apply
  int64_t flap_every_ms = 0;           // > 0: close and reconnect this long after each welcome
  std::set<std::string> refuse;        // facets answered with "failed"
  int64_t reboot_delay_ms = 500;       // simulated reboot duration
  int64_t backoff_base_ms = 1000;      // protocol §5: 1 s
  int64_t backoff_cap_ms = 60000;      // protocol §5: 60 s
  int64_t connect_timeout_ms = 15000;  // connect + WebSocket handshake + welcome
  // Firmware/dpi upgrades (docs/device-protocol.md §6) and their simulated faults.
  int64_t download_chunk_bytes = 1 << 20;  // one Range request per chunk
  bool fail_download = false;              // every download attempt fails (HTTP error simulated)
  int64_t cut_download_at = 0;    // > 0: the first download loses its connection after this many
                                  // bytes, then resumes with a Range request
  bool corrupt_artifact = false;  // a byte is flipped on arrival: SHA-256 check fails
  bool fail_install = false;      // the install step fails
  bool rollback_after_reboot = false;  // boots the old version again and reports "reverted"
  std::shared_ptr<DownloadGate> download_gate;  // null: no limit
};

// One simulated device. All its work runs on its own strand of the io_context.
class SimulatedDevice : public std::enable_shared_from_this<SimulatedDevice> {
 public:
  // Called on the device's strand with +1 when a session is welcomed and -1 when it ends.
  using OnlineCallback = std::function<void(int delta)>;

  // Loads (or creates) the state file when options.state_dir is set. Does not connect.
  static Result<std::shared_ptr<SimulatedDevice>, std::string> Create(boost::asio::io_context& ioc,
                                                                      DeviceOptions options,
                                                                      ChannelTarget target,
                                                                      OnlineCallback on_online);

  // Starts connecting (and reconnecting) until Stop.
  void Start();
  // Closes the session cleanly (code 1000) and stops reconnecting; done runs (on the strand)
  // once the device has fully stopped. Thread-safe.
  void Stop(std::function<void()> done);

  // A copy of the current state; call from the device's strand or when the io_context is idle.
  DeviceState state() const { return state_; }
  // The device's serial number.
  const std::string& serial_number() const { return options_.serial_number; }

  // Use Create.
  SimulatedDevice(boost::asio::io_context& ioc, DeviceOptions options, ChannelTarget target,
                  OnlineCallback on_online);
  ~SimulatedDevice();

 private:
  struct Conn;
  struct SessionEnd;

  boost::asio::awaitable<void> Run(std::shared_ptr<SimulatedDevice> self);
  boost::asio::awaitable<SessionEnd> RunSession();
  boost::asio::awaitable<void> Writer(std::shared_ptr<SimulatedDevice> self,
                                      std::shared_ptr<Conn> conn);
  boost::asio::awaitable<void> Heartbeat(std::shared_ptr<SimulatedDevice> self,
                                         std::shared_ptr<Conn> conn, int64_t interval_ms);
  boost::asio::awaitable<void> Watchdog(std::shared_ptr<SimulatedDevice> self,
                                        std::shared_ptr<Conn> conn);
  boost::asio::awaitable<void> Flap(std::shared_ptr<SimulatedDevice> self,
                                    std::shared_ptr<Conn> conn);
  boost::asio::awaitable<void> DelayedApply(std::shared_ptr<SimulatedDevice> self,
                                            std::shared_ptr<Conn> conn, Desired desired);
  boost::asio::awaitable<void> SilentDrop(std::shared_ptr<SimulatedDevice> self);

  struct UpgradeJob;
  struct HttpConn;
  boost::asio::awaitable<void> RunUpgrade(std::shared_ptr<SimulatedDevice> self,
                                          std::shared_ptr<UpgradeJob> job);
  // Downloads the job's artifact from job->offset on (resuming), hashing as it goes. Returns ""
  // when complete, else why it failed.
  boost::asio::awaitable<std::string> Download(std::shared_ptr<UpgradeJob> job);
  boost::asio::awaitable<std::string> FetchChunk(HttpConn& http, const std::string& path,
                                                 int64_t first, int64_t last, std::string* body);
  void StartUpgrade(const std::shared_ptr<Conn>& conn, const Desired& desired);
  // Sends an applied report now when welcomed, else keeps it (persisted) for the next welcome.
  void Report(std::string_view facet, int64_t generation, std::string_view result,
              std::string_view detail);
  // A firmware/dpi generation ended without being applied (failed or reverted): remembered, so
  // that a re-sent copy is answered the same way instead of starting over.
  void RememberUnapplied(std::string_view facet, int64_t generation, std::string_view result);
  void Progress(const UpgradeJob& job, std::string_view state);
  // Boots into the pending install (or rolls it back, simulated) and keeps the report to send.
  void FinishInstall();

  void HandleMessage(const std::shared_ptr<Conn>& conn, std::string_view text);
  void HandleDesired(const std::shared_ptr<Conn>& conn, Desired desired);
  void Apply(const std::shared_ptr<Conn>& conn, const Desired& desired);
  void Answer(const std::shared_ptr<Conn>& conn, std::string_view facet, int64_t generation,
              std::string_view result, std::string_view detail = {});
  void Send(const std::shared_ptr<Conn>& conn, std::string text);
  void Close(const std::shared_ptr<Conn>& conn);
  void Persist();
  void Event(std::string_view what) const;
  void SetOnline(bool online);
  void Spawn(boost::asio::awaitable<void> task);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  DeviceOptions options_;
  ChannelTarget target_;
  OnlineCallback on_online_;
  DeviceState state_;
  std::string state_path_;
  Backoff backoff_;
  std::mt19937_64 rng_;
  boost::asio::steady_timer backoff_timer_;
  boost::asio::steady_timer silent_timer_;  // a silent device waits on it until Stop
  std::shared_ptr<Conn> conn_;
  bool online_ = false;
  bool silent_ = false;
  bool stopping_ = false;
  int64_t pending_reboot_ = 0;     // reboot generation being applied
  int64_t unreported_reboot_ = 0;  // reboot generation to report after the next welcome
  int64_t lease_ms_ = 0;
  std::shared_ptr<UpgradeJob> job_;              // the upgrade in progress, if any
  std::shared_ptr<UpgradeJob> pending_install_;  // installed, applied at the coming reboot
  std::function<void()> stopped_;
};

// Many devices in one process sharing one io_context; prints "sag-device: N online" on out
// whenever the number of welcomed devices changes.
class Fleet {
 public:
  // out may be null (no printing).
  Fleet(boost::asio::io_context& ioc, std::ostream* out);

  // Creates a device (not started yet).
  Result<void, std::string> Add(DeviceOptions options, const ChannelTarget& target);
  // Starts every device.
  void StartAll();
  // Stops every device cleanly; done runs once all have stopped (on some device's strand).
  void StopAll(std::function<void()> done);
  // Devices currently welcomed. Thread-safe.
  int online() const;
  // The devices, in the order added.
  const std::vector<std::shared_ptr<SimulatedDevice>>& devices() const { return devices_; }

 private:
  void Change(int delta);

  boost::asio::io_context& ioc_;
  std::ostream* out_;
  mutable std::mutex mu_;
  int online_ = 0;
  std::vector<std::shared_ptr<SimulatedDevice>> devices_;
};

}  // namespace sag::device::agent

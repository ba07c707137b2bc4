// SimulatedDevice: one device agent speaking the device channel (docs/device-protocol.md) over an
// asynchronous Boost.Beast WebSocket, driven entirely by an io_context (no thread per device), and
// Fleet: many of them in one process with a count of online devices.
#pragma once

#include <cstdint>
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
};

// Identity, defaults and fault simulation of one device.
struct DeviceOptions {
  std::string serial_number;
  std::string secret;   // never logged, never persisted
  bool enroll = false;  // first contact sends enroll_secret instead of proof
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

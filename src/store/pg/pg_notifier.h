// Messages between sagd nodes sharing one PostgreSQL database, over LISTEN/NOTIFY: a dedicated
// listening connection served by a thread of its own (never a network thread), and a publishing
// connection. Notifications are delivered only to listeners connected when the sending transaction
// commits; a listener that loses its connection reconnects and reports a resync, after which its
// user re-reads what it may have missed from the store.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace sag::store::pg {

class Connection;

// The channel every node listens on.
inline constexpr std::string_view kClusterChannel = "sag_cluster";
// The channel only node_id listens on.
std::string NodeChannel(std::string_view node_id);

class PgNotifier {
 public:
  // Called on the listener thread for each notification; must not block for long.
  using Handler = std::function<void(const std::string& channel, const std::string& payload)>;

  // conninfo: a libpq conninfo or URI. channels: what to LISTEN on (lowercase names).
  // on_resync: called on the listener thread after a reconnect (notifications may have been lost).
  PgNotifier(std::string conninfo, std::vector<std::string> channels, Handler handler,
             std::function<void()> on_resync);
  ~PgNotifier();
  PgNotifier(const PgNotifier&) = delete;
  PgNotifier& operator=(const PgNotifier&) = delete;

  // Connects both connections and starts listening; the error is readable.
  Result<void, std::string> Start();
  // Stops the listener thread (idempotent).
  void Stop();
  // Sends payload (at most 7999 bytes) on channel. Thread-safe; blocks for one round trip.
  StoreResult<void> Publish(std::string_view channel, std::string_view payload);

 private:
  void Loop();
  // Opens the listening connection and LISTENs on every channel.
  Result<std::unique_ptr<Connection>, std::string> Listen();

  const std::string conninfo_;
  const std::vector<std::string> channels_;
  const Handler handler_;
  const std::function<void()> on_resync_;
  std::unique_ptr<Connection> listener_;  // used by the listener thread only once started
  std::mutex publish_mu_;
  std::unique_ptr<Connection> publisher_;  // guarded by publish_mu_
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sag::store::pg

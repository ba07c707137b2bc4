#include "store/pg/pg_notifier.h"

#include <chrono>
#include <poll.h>

#include <libpq-fe.h>

#include "common/log.h"
#include "store/pg/pg_util.h"

namespace sag::store::pg {

std::string NodeChannel(std::string_view node_id) { return "sag_node_" + std::string(node_id); }

PgNotifier::PgNotifier(std::string conninfo, std::vector<std::string> channels, Handler handler,
                       std::function<void()> on_resync)
    : conninfo_(std::move(conninfo)),
      channels_(std::move(channels)),
      handler_(std::move(handler)),
      on_resync_(std::move(on_resync)) {}

PgNotifier::~PgNotifier() { Stop(); }

Result<std::unique_ptr<Connection>, std::string> PgNotifier::Listen() {
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(conninfo_));
  for (const std::string& channel : channels_) {
    if (auto r = conn->Exec("LISTEN \"" + channel + "\""); !r) {
      return MakeUnexpected("LISTEN " + channel + ": " + r.error().detail);
    }
  }
  if (PQsetnonblocking(conn->raw(), 1) != 0) {
    return MakeUnexpected(std::string("cannot make the listening connection non-blocking"));
  }
  return conn;
}

Result<void, std::string> PgNotifier::Start() {
  ASSIGN_OR_RETURN(listener_, Listen());
  {
    std::lock_guard lock(publish_mu_);
    ASSIGN_OR_RETURN(publisher_, Connection::Open(conninfo_));
  }
  thread_ = std::thread([this] { Loop(); });
  return {};
}

void PgNotifier::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

StoreResult<void> PgNotifier::Publish(std::string_view channel, std::string_view payload) {
  std::lock_guard lock(publish_mu_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (publisher_ == nullptr) {
      auto conn = Connection::Open(conninfo_);
      if (!conn) return MakeUnexpected(StoreError{StoreErrorCode::kUnavailable, conn.error()});
      publisher_ = std::move(*conn);
    } else if (!publisher_->ok()) {
      RETURN_IF_ERROR(publisher_->Reset());
    }
    const sql::Value values[] = {channel, payload};
    auto r = publisher_->RunOnce("SELECT pg_notify($1, $2)", values);
    if (r) return {};
    if (publisher_->ok()) return MakeUnexpected(std::move(r).error());
    // The connection broke (e.g. the server restarted): reconnect and send once more.
  }
  return MakeUnexpected(StoreError{StoreErrorCode::kUnavailable, "cannot reach PostgreSQL"});
}

void PgNotifier::Loop() {
  using namespace std::chrono_literals;
  auto backoff = 100ms;
  while (!stop_) {
    if (listener_ == nullptr || !listener_->ok()) {
      listener_.reset();
      auto conn = Listen();
      if (!conn) {
        LogWarn("cluster notifications: " + conn.error() + "; retrying");
        for (auto waited = 0ms; waited < backoff && !stop_; waited += 50ms) {
          std::this_thread::sleep_for(50ms);
        }
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        continue;
      }
      listener_ = std::move(*conn);
      backoff = 100ms;
      LogInfo("cluster notifications: listening again");
      if (on_resync_) on_resync_();
    }
    pollfd pfd{.fd = PQsocket(listener_->raw()), .events = POLLIN, .revents = 0};
    const int n = poll(&pfd, 1, 200);  // wakes up regularly to see stop_
    if (n < 0) continue;
    if (n > 0 && PQconsumeInput(listener_->raw()) == 0) {
      LogWarn(std::string("cluster notifications: connection lost: ") +
              PQerrorMessage(listener_->raw()));
      listener_.reset();
      continue;
    }
    while (PGnotify* note = PQnotifies(listener_->raw())) {
      std::string channel = note->relname;
      std::string payload = note->extra;
      PQfreemem(note);
      handler_(channel, payload);
    }
  }
}

}  // namespace sag::store::pg

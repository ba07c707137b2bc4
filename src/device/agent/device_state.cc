#include "device/agent/device_state.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <boost/json.hpp>

#include "common/crypto.h"

namespace sag::device::agent {

namespace json = boost::json;

int64_t DeviceState::AppliedGeneration(std::string_view facet) const {
  auto it = applied.find(std::string(facet));
  return it != applied.end() ? it->second : 0;
}

std::string DeviceStateToJson(const DeviceState& state) {
  json::object applied;
  for (const auto& [facet, generation] : state.applied) applied[facet] = generation;
  json::object o;
  o["version"] = 1;
  o["serial_number"] = state.serial_number;
  o["model"] = state.model;
  o["firmware"] = state.firmware;
  o["dpi"] = state.dpi;
  o["boot_time"] = state.boot_time_ms;
  o["admin_password_hash"] = state.admin_password_hash;
  if (!state.flow_log.empty()) o["flow_log"] = state.flow_log;
  o["applied"] = std::move(applied);
  if (!state.unapplied.empty()) {
    json::object unapplied;
    for (const auto& [facet, ended] : state.unapplied) {
      unapplied[facet] = json::object{{"generation", ended.generation}, {"result", ended.result}};
    }
    o["unapplied"] = std::move(unapplied);
  }
  if (!state.config.empty()) {
    json::object config;
    for (const auto& [facet, value] : state.config) config[facet] = value;
    o["config"] = std::move(config);
  }
  if (!state.report_facet.empty()) {
    o["report"] = json::object{{"facet", state.report_facet},
                               {"generation", state.report_generation},
                               {"result", state.report_result},
                               {"detail", state.report_detail}};
  }
  return json::serialize(o) + "\n";
}

Result<DeviceState, std::string> DeviceStateFromJson(std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return MakeUnexpected(std::string("state: not a JSON object"));
  const json::object& o = parsed.as_object();
  DeviceState state;
  auto get_string = [&](std::string_view key, std::string& out) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) return false;
    out = std::string(v->as_string());
    return true;
  };
  if (!get_string("serial_number", state.serial_number) || !get_string("model", state.model) ||
      !get_string("firmware", state.firmware) || !get_string("dpi", state.dpi) ||
      !get_string("admin_password_hash", state.admin_password_hash)) {
    return MakeUnexpected(std::string("state: missing or mistyped string member"));
  }
  get_string("flow_log", state.flow_log);  // optional: absent in states written before it existed
  const json::value* boot = o.if_contains("boot_time");
  if (boot == nullptr || !boot->is_int64()) {
    return MakeUnexpected(std::string("state: missing boot_time"));
  }
  state.boot_time_ms = boot->as_int64();
  if (const json::value* config = o.if_contains("config")) {
    if (!config->is_object()) return MakeUnexpected(std::string("state: bad config"));
    for (const auto& member : config->as_object()) {
      if (!member.value().is_string()) return MakeUnexpected(std::string("state: bad config"));
      state.config[std::string(member.key())] = std::string(member.value().as_string());
    }
  }
  if (const json::value* unapplied = o.if_contains("unapplied")) {
    if (!unapplied->is_object()) return MakeUnexpected(std::string("state: bad unapplied"));
    for (const auto& member : unapplied->as_object()) {
      const json::object* e = member.value().if_object();
      const json::value* generation = e ? e->if_contains("generation") : nullptr;
      const json::value* result = e ? e->if_contains("result") : nullptr;
      if (!generation || !generation->is_int64() || !result || !result->is_string()) {
        return MakeUnexpected(std::string("state: bad unapplied"));
      }
      state.unapplied[std::string(member.key())] =
          EndedGeneration{generation->as_int64(), std::string(result->as_string())};
    }
  }
  if (const json::value* report = o.if_contains("report")) {
    const json::object* r = report->if_object();
    const json::value* facet = r ? r->if_contains("facet") : nullptr;
    const json::value* generation = r ? r->if_contains("generation") : nullptr;
    const json::value* result = r ? r->if_contains("result") : nullptr;
    const json::value* detail = r ? r->if_contains("detail") : nullptr;
    if (!facet || !facet->is_string() || !generation || !generation->is_int64() || !result ||
        !result->is_string() || !detail || !detail->is_string()) {
      return MakeUnexpected(std::string("state: bad report"));
    }
    state.report_facet = std::string(facet->as_string());
    state.report_generation = generation->as_int64();
    state.report_result = std::string(result->as_string());
    state.report_detail = std::string(detail->as_string());
  }
  const json::value* applied = o.if_contains("applied");
  if (applied == nullptr || !applied->is_object()) {
    return MakeUnexpected(std::string("state: missing applied"));
  }
  for (const auto& member : applied->as_object()) {
    if (!member.value().is_int64() || member.value().as_int64() < 0) {
      return MakeUnexpected(std::string("state: bad applied generation"));
    }
    state.applied[std::string(member.key())] = member.value().as_int64();
  }
  return state;
}

bool IsSafeSerialNumber(std::string_view sn) {
  if (sn.empty() || sn.size() > 64 || sn.front() == '.') return false;
  for (char c : sn) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string StateFilePath(std::string_view dir, std::string_view sn) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path.push_back('/');
  path.append(sn);
  path.append(".json");
  return path;
}

Result<std::optional<DeviceState>, std::string> LoadDeviceState(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<DeviceState>();
    return MakeUnexpected("cannot open " + path + ": " + std::strerror(errno));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  auto state = DeviceStateFromJson(buffer.str());
  if (!state) return MakeUnexpected(path + ": " + state.error());
  return std::optional<DeviceState>(std::move(*state));
}

namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Result<void, std::string> SaveDeviceState(const std::string& path, const DeviceState& state) {
  const std::string text = DeviceStateToJson(state);
  const std::string temp = path + ".tmp-" + HexEncode(RandomBytes(6));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return MakeUnexpected(Errno("create " + temp));
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string error = Errno("write " + temp);
      ::close(fd);
      ::unlink(temp.c_str());
      return MakeUnexpected(error);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    std::string error = Errno("fsync " + temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return MakeUnexpected(error);
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    std::string error = Errno("rename " + temp);
    ::unlink(temp.c_str());
    return MakeUnexpected(error);
  }
  int dir_fd = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

}  // namespace sag::device::agent

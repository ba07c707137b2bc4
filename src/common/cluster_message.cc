#include "common/cluster_message.h"

#include <array>
#include <utility>

#include <boost/json.hpp>

namespace sag::cluster {
namespace {

constexpr std::array<std::pair<CredentialsChanged::Kind, std::string_view>, 3> kKindNames = {{
    {CredentialsChanged::Kind::kKey, "key"},
    {CredentialsChanged::Kind::kUser, "user"},
    {CredentialsChanged::Kind::kAccountPolicies, "policies"},
}};

// Overload set for std::visit.
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// Reads the fields of one parsed message; a field present with the wrong type fails the message.
class Fields {
 public:
  explicit Fields(const boost::json::object& o) : o_(o) {}
  std::string Text(std::string_view key) {
    const boost::json::value* v = o_.if_contains(key);
    if (v == nullptr) return {};
    if (!v->is_string()) {
      ok_ = false;
      return {};
    }
    return std::string(v->get_string());
  }
  // Text that must be present.
  std::string RequiredText(std::string_view key) {
    if (o_.if_contains(key) == nullptr) ok_ = false;
    return Text(key);
  }
  int64_t Int(std::string_view key) {
    const boost::json::value* v = o_.if_contains(key);
    if (v == nullptr) return 0;
    if (!v->is_int64()) {
      ok_ = false;
      return 0;
    }
    return v->get_int64();
  }
  bool Bool(std::string_view key) {
    const boost::json::value* v = o_.if_contains(key);
    if (v == nullptr) return false;
    if (!v->is_bool()) {
      ok_ = false;
      return false;
    }
    return v->get_bool();
  }
  bool ok() const { return ok_; }

 private:
  const boost::json::object& o_;
  bool ok_ = true;
};

// message, unless a field had the wrong type or a device message names no device.
template <class T>
std::optional<ClusterMessage> Checked(const Fields& f, T message) {
  if (!f.ok()) return std::nullopt;
  if constexpr (requires { message.serial_number; }) {
    if (message.serial_number.empty()) return std::nullopt;
  }
  return ClusterMessage(std::move(message));
}

}  // namespace

std::string EncodeClusterMessage(const ClusterMessage& message) {
  boost::json::object o =
      std::visit(Overloaded{
                     [](const DesiredChanged& m) {
                       return boost::json::object{{"t", "desired"},
                                                  {"sn", m.serial_number},
                                                  {"facet", m.facet},
                                                  {"gen", m.generation}};
                     },
                     [](const KickSession& m) {
                       boost::json::object k{
                           {"t", "kick"}, {"sn", m.serial_number}, {"session", m.session_id}};
                       if (!m.why.empty()) k["why"] = m.why;
                       return k;
                     },
                     [](const AppliedReport& m) {
                       return boost::json::object{{"t", "applied"},
                                                  {"sn", m.serial_number},
                                                  {"facet", m.facet},
                                                  {"gen", m.generation},
                                                  {"ok", m.ok}};
                     },
                     [](const ProgressReport& m) {
                       return boost::json::object{{"t", "progress"},
                                                  {"sn", m.serial_number},
                                                  {"facet", m.facet},
                                                  {"gen", m.generation}};
                     },
                     [](const SessionEnded& m) {
                       return boost::json::object{{"t", "offline"},
                                                  {"sn", m.serial_number},
                                                  {"node", m.node_id},
                                                  {"session", m.session_id}};
                     },
                     [](const CredentialsChanged& m) {
                       std::string_view kind;
                       for (const auto& [k, name] : kKindNames) {
                         if (k == m.kind) kind = name;
                       }
                       return boost::json::object{
                           {"t", "credentials"}, {"k", kind}, {"a", m.first}, {"b", m.second}};
                     },
                     [](const SettingChanged& m) {
                       return boost::json::object{{"t", "setting"}, {"key", m.key}};
                     },
                 },
                 message);
  return boost::json::serialize(o);
}

std::optional<ClusterMessage> ParseClusterMessage(std::string_view payload) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(payload, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  Fields f(parsed.get_object());
  const std::string t = f.Text("t");
  if (t == "desired") {
    return Checked(f, DesiredChanged{f.Text("sn"), f.Text("facet"), f.Int("gen")});
  }
  if (t == "kick") {
    return Checked(f, KickSession{f.Text("sn"), f.Text("session"), f.Text("why")});
  }
  if (t == "applied") {
    return Checked(f, AppliedReport{f.Text("sn"), f.Text("facet"), f.Int("gen"), f.Bool("ok")});
  }
  if (t == "progress") {
    return Checked(f, ProgressReport{f.Text("sn"), f.Text("facet"), f.Int("gen")});
  }
  if (t == "offline") {
    return Checked(f, SessionEnded{f.Text("sn"), f.Text("node"), f.Text("session")});
  }
  if (t == "setting") return Checked(f, SettingChanged{f.Text("key")});
  if (t == "credentials") {
    const std::string k = f.Text("k");
    CredentialsChanged m{CredentialsChanged::Kind::kKey, f.RequiredText("a"), f.RequiredText("b")};
    if (!f.ok()) return std::nullopt;
    for (const auto& [kind, name] : kKindNames) {
      if (k == name) {
        m.kind = kind;
        return ClusterMessage(std::move(m));
      }
    }
  }
  return std::nullopt;
}

}  // namespace sag::cluster

#include "auth/policy.h"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

namespace sag::auth {
namespace {

namespace json = boost::json;

// Policy documents are small; anything larger is refused before parsing.
constexpr std::size_t kMaxDocumentBytes = 64 * 1024;

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// A SAX handler for json::basic_parser that only looks for an object holding the same key twice.
// boost::json::parse silently keeps the last duplicate, so {"Effect":"Deny","Effect":"Allow"}
// would be read differently by different tools; such documents are refused instead.
class DuplicateKeyChecker {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  bool duplicate() const { return duplicate_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t, json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    open_objects_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    open_objects_.pop_back();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    bool inserted = open_objects_.back().insert(std::move(key_)).second;
    key_.clear();
    if (!inserted) {
      duplicate_ = true;
      ec = json::make_error_code(json::error::syntax);
      return false;
    }
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  std::vector<std::set<std::string>> open_objects_;  // keys seen so far in each open object
  std::string key_;                                  // a key arriving in parts
  bool duplicate_ = false;
};

// Returns an empty string when document is well-formed JSON without duplicate keys, else a reason.
std::string CheckJsonShape(std::string_view document) {
  json::basic_parser<DuplicateKeyChecker> parser{json::parse_options{}};
  json::error_code ec;
  parser.write_some(false, document.data(), document.size(), ec);
  if (!ec) return {};
  if (parser.handler().duplicate()) return "policy document has a duplicate key";
  if (ec == json::error::too_deep) return "policy document is nested too deeply";
  return "policy document is not valid JSON";
}

Unexpected<std::string> Fail(std::string reason) { return MakeUnexpected(std::move(reason)); }

// Reads an Action or Resource value: a non-empty string, or a non-empty array of non-empty strings.
Result<std::vector<std::string>, std::string> ReadPatterns(const json::object& statement,
                                                           std::string_view name) {
  const json::value* v = statement.if_contains(json::string_view(name.data(), name.size()));
  std::string field(name);
  if (v == nullptr) return Fail("statement has no " + field);
  std::vector<std::string> out;
  if (const json::string* s = v->if_string()) {
    out.emplace_back(s->data(), s->size());
  } else if (const json::array* a = v->if_array()) {
    for (const json::value& element : *a) {
      const json::string* es = element.if_string();
      if (es == nullptr) return Fail(field + " must be a string or an array of strings");
      out.emplace_back(es->data(), es->size());
    }
  } else {
    return Fail(field + " must be a string or an array of strings");
  }
  if (out.empty()) return Fail("statement has an empty " + field);
  for (const std::string& pattern : out) {
    if (pattern.empty()) return Fail("statement has an empty " + field);
  }
  return out;
}

Result<PolicyStatement, std::string> ReadStatement(const json::value& value) {
  const json::object* obj = value.if_object();
  if (obj == nullptr) return Fail("each Statement must be an object");
  for (const auto& [key, unused] : *obj) {
    (void)unused;
    if (key == "Effect" || key == "Action" || key == "Resource" || key == "Sid") continue;
    if (key == "Condition" || key == "NotAction" || key == "NotResource" || key == "Principal" ||
        key == "NotPrincipal") {
      return Fail("statement element " + std::string(key) + " is not supported");
    }
    return Fail("unknown statement element " + std::string(key));
  }

  PolicyStatement statement;
  const json::value* effect = obj->if_contains("Effect");
  if (effect == nullptr) return Fail("statement has no Effect");
  const json::string* effect_str = effect->if_string();
  std::string_view effect_view =
      effect_str == nullptr ? std::string_view() : std::string_view(*effect_str);
  if (effect_str != nullptr && EqualsIgnoreCase(effect_view, "Allow")) {
    statement.allow = true;
  } else if (effect_str != nullptr && EqualsIgnoreCase(effect_view, "Deny")) {
    statement.allow = false;
  } else {
    return Fail("Effect must be Allow or Deny");
  }
  ASSIGN_OR_RETURN(statement.actions, ReadPatterns(*obj, "Action"));
  ASSIGN_OR_RETURN(statement.resources, ReadPatterns(*obj, "Resource"));
  return statement;
}

bool AnyMatches(const std::vector<std::string>& patterns, std::string_view text,
                bool case_insensitive) {
  for (const std::string& pattern : patterns) {
    if (WildcardMatch(pattern, text, case_insensitive)) return true;
  }
  return false;
}

}  // namespace

Result<Policy, std::string> ParsePolicy(std::string_view document) {
  if (document.size() > kMaxDocumentBytes) return Fail("policy document is too large");
  if (std::string reason = CheckJsonShape(document); !reason.empty()) return Fail(reason);

  json::error_code ec;
  json::value root = json::parse(json::string_view(document.data(), document.size()), ec);
  if (ec) return Fail("policy document is not valid JSON");
  const json::object* obj = root.if_object();
  if (obj == nullptr) return Fail("policy document must be a JSON object");
  for (const auto& [key, unused] : *obj) {
    (void)unused;
    if (key != "Version" && key != "Statement") {
      return Fail("unknown policy element " + std::string(key));
    }
  }
  if (const json::value* version = obj->if_contains("Version");
      version != nullptr && !version->is_string()) {
    return Fail("Version must be a string");
  }

  const json::value* statements = obj->if_contains("Statement");
  if (statements == nullptr) return Fail("policy has no Statement");
  Policy policy;
  if (const json::array* list = statements->if_array()) {
    if (list->empty()) return Fail("policy has no Statement");
    for (const json::value& s : *list) {
      ASSIGN_OR_RETURN(PolicyStatement statement, ReadStatement(s));
      policy.statements.push_back(std::move(statement));
    }
  } else if (statements->is_object()) {  // a lone statement, not wrapped in an array
    ASSIGN_OR_RETURN(PolicyStatement statement, ReadStatement(*statements));
    policy.statements.push_back(std::move(statement));
  } else {
    return Fail("Statement must be an array of objects");
  }
  return policy;
}

Decision Evaluate(const std::vector<Policy>& policies, std::string_view action,
                  std::string_view resource) {
  bool allowed = false;
  for (const Policy& policy : policies) {
    for (const PolicyStatement& statement : policy.statements) {
      if (statement.allow && allowed) continue;  // already allowed; only a Deny can change that
      if (!AnyMatches(statement.actions, action, /*case_insensitive=*/true)) continue;
      if (!AnyMatches(statement.resources, resource, /*case_insensitive=*/false)) continue;
      if (!statement.allow) return Decision::kExplicitDeny;
      allowed = true;
    }
  }
  return allowed ? Decision::kAllow : Decision::kImplicitDeny;
}

bool WildcardMatch(std::string_view pattern, std::string_view text, bool case_insensitive) {
  auto same = [case_insensitive](char p, char t) {
    return case_insensitive ? AsciiLower(p) == AsciiLower(t) : p == t;
  };
  // Two-pointer glob: on a mismatch, retry from just after the most recent '*', letting it absorb
  // one more character. Each text position is revisited at most once per '*', so the worst case is
  // O(|pattern| * |text|) with no exponential backtracking.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;  // index of the last '*' seen in pattern
  std::size_t star_t = 0;                     // text index that '*' currently matches up to
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || same(pattern[p], text[t]))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace sag::auth

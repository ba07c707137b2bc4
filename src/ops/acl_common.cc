#include "ops/acl_common.h"

#include <algorithm>
#include <array>

#include "ops/store_errors.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

namespace json = boost::json;

constexpr std::string_view kEmptyAcl = R"({"acl_id":"","rules":[]})";

// The protocols a rule may name, lower-cased (matched case-insensitively; stored as written).
constexpr std::array<std::string_view, 8> kProtocols = {
    "all", "tcp", "udp", "icmp", "http(80)", "https(443)", "ssh(22)", "telnet(23)"};

bool IsPort(std::string_view text, int64_t* out) {
  auto n = ParseInt64(text);
  if (!n || *n < 1 || *n > 65535 || text.empty() || text[0] == '-' || text[0] == '+') return false;
  *out = *n;
  return true;
}

// "from/to" with 1 <= from <= to <= 65535, or "-1/-1" (any port).
bool IsPortRange(std::string_view text) {
  if (text == "-1/-1") return true;
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  int64_t from = 0;
  int64_t to = 0;
  return IsPort(text.substr(0, slash), &from) && IsPort(text.substr(slash + 1), &to) && from <= to;
}

// An application-group or application id: 1-64 letters, digits, '-' or '_'.
bool IsDpiId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

json::array Strings(const std::vector<std::string>& values) {
  json::array out;
  for (const std::string& v : values) out.emplace_back(v);
  return out;
}

ApiError Invalid() { return ApiError(ApiErrorId::kAclInvalidParameter); }

store::StoreResult<ComputedConfigFacet> ComputeAcl(store::Store& store, std::string_view account_id,
                                                   const std::vector<std::string>& instance_ids) {
  auto config = store.ReadAclConfig(account_id, instance_ids);
  if (!config) return MakeUnexpected(std::move(config).error());
  ComputedConfigFacet out;
  out.revision = config->revision;
  static const std::vector<store::AclRuleRecord> kNoRules;
  for (const store::AclConfig::Instance& instance : config->instances) {
    auto rules = config->rules.find(instance.acl_id);
    const std::string value =
        AclFacetValue(instance.acl_id, rules == config->rules.end() ? kNoRules : rules->second);
    for (const std::string& sn : instance.serial_numbers) {
      out.values.push_back({instance.instance_id, sn, value});
    }
  }
  return out;
}

}  // namespace

const ConfigFacetKind kAclFacet{
    .facet = store::kFacetAcl, .empty_value = kEmptyAcl, .compute = &ComputeAcl};

std::string AclFacetValue(std::string_view acl_id, const std::vector<store::AclRuleRecord>& rules) {
  json::array out;
  for (const store::AclRuleRecord& r : rules) {
    out.push_back(json::object{{"id", r.id},
                               {"direction", r.direction},
                               {"type", r.type},
                               {"policy", r.policy},
                               {"priority", r.priority},
                               {"protocol", AsciiLower(r.ip_protocol)},
                               {"source_cidr", r.source_cidr},
                               {"source_port_range", r.source_port_range},
                               {"dest_cidr", r.dest_cidr},
                               {"dest_port_range", r.dest_port_range},
                               {"dpi_group_ids", Strings(r.dpi_group_ids)},
                               {"dpi_signature_ids", Strings(r.dpi_signature_ids)}});
  }
  return json::serialize(json::object{{"acl_id", acl_id}, {"rules", std::move(out)}});
}

Result<void, ApiError> DeliverAcl(OpContext& ctx, const std::vector<std::string>& instance_ids) {
  if (instance_ids.empty()) return {};
  auto r = RefreshConfigFacet(ctx.services, kAclFacet, ctx.principal.account_id, instance_ids);
  if (!r) return MakeUnexpected(std::move(r).error());
  return {};
}

Result<void, ApiError> ApplyRuleParams(const Params& p, store::AclRuleRecord& rule) {
  if (const std::string* v = p.Find("Direction"); v != nullptr) {
    if (*v != "in" && *v != "out") return MakeUnexpected(Invalid());
    rule.direction = *v;
  }
  if (const std::string* v = p.Find("Policy"); v != nullptr) {
    if (*v != "accept" && *v != "drop") return MakeUnexpected(Invalid());
    rule.policy = *v;
  }
  if (const std::string* v = p.Find("Type"); v != nullptr && !v->empty()) {
    if (*v != "LAN" && *v != "WAN") return MakeUnexpected(ApiError(ApiErrorId::kAclInvalidType));
    rule.type = *v;
  }
  if (const std::string* v = p.Find("Priority"); v != nullptr && !v->empty()) {
    auto n = ParseInt64(*v);
    if (!n || *n < 1 || *n > 100) return MakeUnexpected(Invalid());
    rule.priority = *n;
  }
  if (const std::string* v = p.Find("IpProtocol"); v != nullptr) {
    const std::string lower = AsciiLower(*v);
    if (std::find(kProtocols.begin(), kProtocols.end(), lower) == kProtocols.end()) {
      return MakeUnexpected(ApiError(ApiErrorId::kNotSupportedProtocol));
    }
    rule.ip_protocol = *v;
  }
  for (auto [name, field] :
       {std::pair{"SourceCidr", &rule.source_cidr}, std::pair{"DestCidr", &rule.dest_cidr}}) {
    if (const std::string* v = p.Find(name); v != nullptr) {
      if (!ParseCidr(*v)) return MakeUnexpected(Invalid());
      *field = *v;
    }
  }
  for (auto [name, field] : {std::pair{"SourcePortRange", &rule.source_port_range},
                             std::pair{"DestPortRange", &rule.dest_port_range}}) {
    if (const std::string* v = p.Find(name); v != nullptr) {
      if (!IsPortRange(*v)) return MakeUnexpected(ApiError(ApiErrorId::kInvalidPortRange));
      *field = *v;
    }
  }
  if (const std::string* v = p.Find("Name"); v != nullptr && !v->empty()) {
    if (!IsValidResourceName(*v, 2, 100)) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidNameCcn));
    }
    rule.name = *v;
  }
  if (const std::string* v = p.Find("Description"); v != nullptr) {
    if (v->empty() || v->size() > 512) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidDescriptionCcn));
    }
    rule.description = *v;
  }
  for (auto [name, field] : {std::pair{"DpiGroupIds", &rule.dpi_group_ids},
                             std::pair{"DpiSignatureIds", &rule.dpi_signature_ids}}) {
    std::vector<std::string> ids = p.GetList(name);
    if (ids.empty()) continue;
    if (ids.size() > 10 || !std::all_of(ids.begin(), ids.end(), IsDpiId)) {
      return MakeUnexpected(Invalid());
    }
    *field = std::move(ids);
  }
  return {};
}

json::object RuleJson(const store::AclRuleRecord& r, std::string_view acl_type) {
  json::object o{
      {"AclId", r.acl_id},
      {"AcrId", r.id},
      {"Name", r.name},
      {"Description", r.description},
      {"Direction", r.direction},
      {"Type", r.type},
      {"Policy", r.policy},
      {"Priority", r.priority},
      {"IpProtocol", r.ip_protocol},
      {"SourceCidr", r.source_cidr},
      {"SourcePortRange", r.source_port_range},
      {"DestCidr", r.dest_cidr},
      {"DestPortRange", r.dest_port_range},
      {"GmtCreate", r.create_ms},
      {"DpiGroupIds", json::object{{"DpiGroupId", Strings(r.dpi_group_ids)}}},
      {"DpiSignatureIds", json::object{{"DpiSignatureId", Strings(r.dpi_signature_ids)}}}};
  if (!acl_type.empty()) o["AclType"] = acl_type;
  return o;
}

Result<store::AclRecord, ApiError> LoadAcl(const OpContext& ctx, std::string_view acl_id) {
  auto acl = ctx.services.store.GetAcl(ctx.principal.account_id, ctx.region_id, acl_id);
  if (!acl) {
    if (acl.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdAcl));
    }
    return MakeUnexpected(StoreFailure(acl.error()));
  }
  return std::move(acl).value();
}

Result<std::map<std::string, std::string>, ApiError> AclsOfInstances(
    const OpContext& ctx, const std::vector<std::string>& instance_ids) {
  if (instance_ids.empty()) return std::map<std::string, std::string>{};
  auto acls = ctx.services.store.AclsOfInstances(ctx.principal.account_id, instance_ids);
  if (!acls) return MakeUnexpected(StoreFailure(acls.error()));
  return std::move(acls).value();
}

std::vector<std::string> SplitCommaList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

Result<Page, ApiError> ReadAclPage(const Params& params) {
  auto page = ReadPage(params, kAclPageDefault, kAclPageMax);
  if (!page) return MakeUnexpected(Invalid());
  return *page;
}

}  // namespace sag::ops

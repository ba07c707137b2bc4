#include "ops/client_user_common.h"

#include "common/crypto.h"
#include "ops/instance_common.h"
#include "ops/store_errors.h"
#include "ops/validation.h"

namespace sag::ops {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// min..max of [A-Za-z0-9_@.-], starting with a letter or digit.
bool IsClientToken(std::string_view text, size_t min_len, size_t max_len) {
  if (text.size() < min_len || text.size() > max_len || !IsAlnum(text.front())) return false;
  for (char c : text) {
    if (!IsAlnum(c) && c != '_' && c != '@' && c != '.' && c != '-') return false;
  }
  return true;
}

std::string RandomAlnum(size_t n) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string bytes = RandomBytes(n);
  std::string out;
  out.reserve(n);
  for (char b : bytes) out.push_back(kAlphabet[static_cast<unsigned char>(b) % 36]);
  return out;
}

}  // namespace

Result<store::InstanceRecord, ApiError> LoadAppInstance(const OpContext& ctx, std::string_view id,
                                                        ApiErrorId not_found) {
  ASSIGN_OR_RETURN(store::InstanceRecord in, LoadInstance(ctx, id, not_found));
  if (in.instance_type != "software")
    return MakeUnexpected(ApiError(ApiErrorId::kActionNotSupport));
  return in;
}

Result<store::ClientUserRecord, ApiError> LoadClientUser(const OpContext& ctx,
                                                         const store::InstanceRecord& instance,
                                                         std::string_view user_name) {
  auto r = ctx.store().GetClientUser(instance.account_id, instance.id, user_name);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kResourceNotFoundUser));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return std::move(r).value();
}

bool IsValidClientUserName(std::string_view name) { return IsClientToken(name, 7, 33); }

bool IsValidClientPassword(std::string_view password) { return IsClientToken(password, 8, 32); }

bool IsValidEmail(std::string_view email) {
  if (email.size() > 254) return false;
  const size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos)
    return false;
  for (char c : email.substr(0, at)) {
    if (!IsAlnum(c) && c != '.' && c != '_' && c != '%' && c != '+' && c != '-') return false;
  }
  std::string_view domain = email.substr(at + 1);
  int labels = 0;
  while (true) {
    const size_t dot = domain.find('.');
    std::string_view label = domain.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      if (!IsAlnum(c) && c != '-') return false;
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    domain = domain.substr(dot + 1);
  }
  return labels >= 2;
}

Result<std::optional<int64_t>, ApiError> ReadClientBandwidth(const Params& params,
                                                             std::optional<int64_t> fallback) {
  const std::string* raw = params.Find("Bandwidth");
  if (raw == nullptr || raw->empty()) return fallback;
  std::optional<int64_t> value = ParseInt64(*raw);
  if (!value || *value < 1 || *value > 20000) {
    return MakeUnexpected(ApiError(ApiErrorId::kClientUserBandwidthInvalid));
  }
  return value;
}

std::vector<store::ClientIpRange> ClientIpPool(const store::InstanceRecord& instance) {
  std::vector<store::ClientIpRange> pool;
  if (instance.cidr_block.empty()) return pool;
  auto blocks = ParseCidrList(instance.cidr_block);
  if (!blocks) return pool;
  for (const Cidr& c : *blocks) {
    if (c.prefix > 30) continue;
    pool.push_back(store::ClientIpRange{c.first() + 2, c.last() - 1});
  }
  return pool;
}

std::string GenerateClientUserName() { return "user" + RandomAlnum(8); }

std::string GenerateClientPassword() {
  // Starts with a letter; mixes upper case in so that it reads as a password.
  std::string p = "P" + RandomAlnum(15);
  for (size_t i = 1; i < p.size(); i += 3) {
    if (p[i] >= 'a' && p[i] <= 'z') p[i] = static_cast<char>(p[i] - 'a' + 'A');
  }
  return p;
}

boost::json::object ClientUserListItem(const store::ClientUserRecord& u) {
  return boost::json::object{
      {"UserName", u.user_name},
      {"UserMail", u.user_mail},
      {"Bandwidth", u.bandwidth},
      {"AccelerateBandwidth", 0},
      {"ClientIp", FormatIpv4(u.client_ip)},
      {"IsStaticIp", u.is_static_ip ? 1 : 0},
      {"State", u.state},
  };
}

}  // namespace sag::ops

// CreateSmartAccessGatewayClientUser: adds a client account to a SAG app instance. Its ClientIp is
// the requested static address or the lowest free one of the instance's CidrBlock; the password
// is kept only as an Argon2id hash, and a generated one is returned once, in this answer
// (docs/semantics.md).
#include "common/crypto.h"
#include "ops/client_user_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult CreateSmartAccessGatewayClientUser(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(std::optional<int64_t> bandwidth, ReadClientBandwidth(p, 2000));
  const std::string mail = p.Get("UserMail");
  if (!IsValidEmail(mail)) return MakeUnexpected(ApiError(ApiErrorId::kClientUserEmailInvalid));
  std::string name = p.Get("UserName");
  std::string password = p.Get("Password");
  if (name.empty() && !password.empty()) {
    return MakeUnexpected(ApiError(ApiErrorId::kClientUserNameEmpty));
  }
  if (!name.empty() && !IsValidClientUserName(name)) {
    return MakeUnexpected(ApiError(ApiErrorId::kClientUserNameInvalid));
  }
  if (!password.empty() && !IsValidClientPassword(password)) {
    return MakeUnexpected(ApiError(ApiErrorId::kIllegalParamPassword));
  }
  std::optional<uint32_t> static_ip;
  if (const std::string* ip = p.Find("ClientIp"); ip != nullptr) {
    if (ip->empty()) return MakeUnexpected(ApiError(ApiErrorId::kClientUserIpEmpty));
    static_ip = ParseIpv4(*ip);
    if (!static_ip) return MakeUnexpected(ApiError(ApiErrorId::kClientUserIpInvalid));
  }
  ASSIGN_OR_RETURN(store::InstanceRecord in,
                   LoadAppInstance(ctx, p.Get("SmartAGId"), ApiErrorId::kSagInstanceNoFound));
  if (InArrears(in, ctx.now_ms())) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayInArrears));
  }
  if (in.cidr_block.empty()) return MakeUnexpected(ApiError(ApiErrorId::kSagCidrEmpty));
  store::CreateClientUserRequest request;
  request.pool = ClientIpPool(in);
  request.cidr_block = in.cidr_block;
  request.max_users = in.user_count;
  if (static_ip && !store::InClientIpRanges(request.pool, *static_ip)) {
    return MakeUnexpected(ApiError(ApiErrorId::kClientUserInvalidClientIp));
  }
  const bool generated_password = password.empty();
  if (generated_password) password = GenerateClientPassword();
  auto hash = HashPassword(password);
  if (!hash) return MakeUnexpected(ApiError::Internal("password hashing failed"));

  store::ClientUserRecord& user = request.user;
  user.account_id = in.account_id;
  user.instance_id = in.id;
  user.user_mail = mail;
  user.bandwidth = *bandwidth;
  user.is_static_ip = static_ip.has_value();
  user.client_ip = static_ip.value_or(0);
  user.password_hash = *hash;
  user.create_ms = ctx.now_ms();
  const bool generated_name = name.empty();
  // A generated name that happens to be taken is drawn again (a chosen one is the caller's error).
  for (int attempt = 0;; ++attempt) {
    user.user_name = generated_name ? GenerateClientUserName() : name;
    auto created = ctx.store().CreateClientUser(request);
    if (!created) return MakeUnexpected(StoreFailure(created.error()));
    switch (created->outcome) {
      case store::CreateClientUserOutcome::kCreated: {
        const store::ClientUserRecord& u = created->user;
        boost::json::object body{{"UserName", u.user_name},
                                 {"UserMail", u.user_mail},
                                 {"Bandwidth", u.bandwidth},
                                 {"ClientIp", FormatIpv4(u.client_ip)}};
        if (generated_password) body["Password"] = password;
        return body;
      }
      case store::CreateClientUserOutcome::kInstanceNotFound:
        return MakeUnexpected(ApiError(ApiErrorId::kSagInstanceNoFound));
      case store::CreateClientUserOutcome::kNameTaken:
        if (generated_name && attempt < 3) continue;
        return MakeUnexpected(ApiError(ApiErrorId::kClientUserUserExist));
      case store::CreateClientUserOutcome::kOverLimit:
        return MakeUnexpected(ApiError(ApiErrorId::kClientUserUserOverLimit));
      case store::CreateClientUserOutcome::kIpTaken:
        return MakeUnexpected(ApiError(ApiErrorId::kClientUserInvalidClientIp));
      case store::CreateClientUserOutcome::kPoolExhausted:
        return MakeUnexpected(ApiError(ApiErrorId::kClientUserIpPoolExhausted));
      case store::CreateClientUserOutcome::kPoolChanged:
        // ModifySmartAccessGateway changed the CidrBlock meanwhile: the pool read is stale.
        return MakeUnexpected(ApiError(ApiErrorId::kResourceInOperating));
    }
    return MakeUnexpected(ApiError::Internal("unknown create outcome"));
  }
}

}  // namespace

extern const OpSpec kCreateSmartAccessGatewayClientUserSpec{
    .action = "CreateSmartAccessGatewayClientUser",
    .handler = &CreateSmartAccessGatewayClientUser,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"RegionId"},
                 {"UserMail", ApiErrorId::kClientUserEmailEmpty}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops

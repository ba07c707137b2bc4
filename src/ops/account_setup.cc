#include "ops/account_setup.h"

#include "common/ids.h"
#include "ops/instance_common.h"

namespace sag::ops {

Result<IssuedAccessKey, ApiError> IssueAccessKey(store::Store& store, const SecretBox& secrets,
                                                 int64_t now_ms, const std::string& account_id,
                                                 const std::string& user_name,
                                                 const std::string& key_id,
                                                 const std::string& key_secret) {
  IssuedAccessKey issued{key_id.empty() ? NewAccessKeyId() : key_id,
                         key_secret.empty() ? NewAccessKeySecret() : key_secret};
  store::AccessKeyRecord key;
  key.id = issued.id;
  key.account_id = account_id;
  key.user_name = user_name;
  key.sealed_secret = secrets.Seal(issued.secret);
  key.enabled = true;
  key.create_ms = now_ms;
  if (auto r = store.CreateAccessKey(key); !r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kEntityNotExist, {"user"}));
    }
    if (r.error().code == store::StoreErrorCode::kAlreadyExists) {
      return MakeUnexpected(ApiError(ApiErrorId::kEntityAlreadyExists, {"AccessKey"}));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return issued;
}

Result<CreatedAccount, ApiError> SetUpAccount(store::Store& store, const SecretBox& secrets,
                                              int64_t now_ms, const std::string& name,
                                              bool is_operator, const std::string& key_id,
                                              const std::string& key_secret) {
  CreatedAccount out;
  out.account = {NewAccountId(), name, is_operator, now_ms};
  if (auto r = store.CreateAccount(out.account); !r) return MakeUnexpected(StoreFailure(r.error()));
  store::UserRecord root{out.account.id, std::string(kRootUserName), "root", true, now_ms};
  if (auto r = store.CreateUser(root); !r) return MakeUnexpected(StoreFailure(r.error()));
  ASSIGN_OR_RETURN(out.root_key, IssueAccessKey(store, secrets, now_ms, out.account.id, root.name,
                                                key_id, key_secret));
  return out;
}

}  // namespace sag::ops

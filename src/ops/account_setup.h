// Creating an account with its root user and first AccessKey: used by the operator's CreateAccount
// and by sagd's first-start bootstrap.
#pragma once

#include <string>

#include "common/api_error.h"
#include "common/crypto.h"
#include "common/result.h"
#include "store/store.h"

namespace sag::ops {

// The root user's name in every account.
inline constexpr std::string_view kRootUserName = "root";

// An AccessKey as shown to its owner exactly once.
struct IssuedAccessKey {
  std::string id;
  std::string secret;
};

// A new account and its root AccessKey.
struct CreatedAccount {
  store::AccountRecord account;
  IssuedAccessKey root_key;
};

// Creates an account (with a fresh id), its root user and a root AccessKey. When key_id/key_secret
// are non-empty they are used instead of generated ones. Nothing is left behind on failure of the
// account row; a later failure leaves an account without a key, which the caller reports.
Result<CreatedAccount, ApiError> SetUpAccount(store::Store& store, const SecretBox& secrets,
                                              int64_t now_ms, const std::string& name,
                                              bool is_operator, const std::string& key_id = "",
                                              const std::string& key_secret = "");

// Issues a new AccessKey for user_name of account_id, storing the secret sealed.
Result<IssuedAccessKey, ApiError> IssueAccessKey(store::Store& store, const SecretBox& secrets,
                                                 int64_t now_ms, const std::string& account_id,
                                                 const std::string& user_name,
                                                 const std::string& key_id = "",
                                                 const std::string& key_secret = "");

}  // namespace sag::ops

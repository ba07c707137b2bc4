// SqlStore: accounts, users, AccessKeys and RAM policies.
#include "store/sql/queries.h"
#include "store/sql/sql_store.h"

namespace sag::store {

namespace {

using sql::Connection;
using sql::Rows;
using sql::Statement;
using sql::Txn;
using sql::Value;

constexpr std::string_view kAccountColumns = "id, name, is_operator, create_ms";

AccountRecord ReadAccount(const Rows& s, int row) {
  return AccountRecord{.id = s.Text(row, 0),
                       .name = s.Text(row, 1),
                       .is_operator = s.Bool(row, 2),
                       .create_ms = s.Int(row, 3)};
}

constexpr std::string_view kUserColumns = "account_id, name, display_name, is_root, create_ms";

UserRecord ReadUser(const Rows& s, int row) {
  return UserRecord{.account_id = s.Text(row, 0),
                    .name = s.Text(row, 1),
                    .display_name = s.Text(row, 2),
                    .is_root = s.Bool(row, 3),
                    .create_ms = s.Int(row, 4)};
}

constexpr std::string_view kAccessKeyColumns =
    "id, account_id, user_name, sealed_secret, enabled, create_ms";

AccessKeyRecord ReadAccessKey(const Rows& s, int row) {
  return AccessKeyRecord{.id = s.Text(row, 0),
                         .account_id = s.Text(row, 1),
                         .user_name = s.Text(row, 2),
                         .sealed_secret = s.Text(row, 3),
                         .enabled = s.Bool(row, 4),
                         .create_ms = s.Int(row, 5)};
}

constexpr std::string_view kPolicyColumns = "account_id, name, description, document, create_ms";

PolicyRecord ReadPolicy(const Rows& s, int row) {
  return PolicyRecord{.account_id = s.Text(row, 0),
                      .name = s.Text(row, 1),
                      .description = s.Text(row, 2),
                      .document = s.Text(row, 3),
                      .create_ms = s.Int(row, 4)};
}

std::string Select(std::string_view columns, std::string_view rest) {
  return "SELECT " + std::string(columns) + " " + std::string(rest);
}

const Statement kUserExists("SELECT 1 FROM users WHERE account_id = $1 AND name = $2");
const Statement kPolicyExists("SELECT 1 FROM policies WHERE account_id = $1 AND name = $2");

}  // namespace

// Accounts ----------------------------------------------------------------------------------------

StoreResult<void> SqlStore::CreateAccount(const AccountRecord& a) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kInsert(
        "INSERT INTO accounts (id, name, is_operator, create_ms) VALUES ($1, $2, $3, $4)");
    return sql::Exec(conn, kInsert, {a.id, a.name, Value::Bool(a.is_operator), a.create_ms});
  });
}

StoreResult<AccountRecord> SqlStore::GetAccount(std::string_view account_id) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kGet(Select(kAccountColumns, "FROM accounts WHERE id = $1"));
    return sql::GetOne(conn, kGet, {account_id}, &ReadAccount, "account");
  });
}

StoreResult<std::vector<AccountRecord>> SqlStore::ListAccounts() {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kList(Select(kAccountColumns, "FROM accounts ORDER BY create_ms, id"));
    return sql::ListAll(conn, kList, {}, &ReadAccount);
  });
}

// Users -------------------------------------------------------------------------------------------

StoreResult<void> SqlStore::CreateUser(const UserRecord& u) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kInsert(
        "INSERT INTO users (account_id, name, display_name, is_root, create_ms) "
        "VALUES ($1, $2, $3, $4, $5)");
    return sql::Exec(conn, kInsert,
                     {u.account_id, u.name, u.display_name, Value::Bool(u.is_root), u.create_ms});
  });
}

StoreResult<UserRecord> SqlStore::GetUser(std::string_view account_id, std::string_view name) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kGet(
        Select(kUserColumns, "FROM users WHERE account_id = $1 AND name = $2"));
    return sql::GetOne(conn, kGet, {account_id, name}, &ReadUser, "user");
  });
}

StoreResult<std::vector<UserRecord>> SqlStore::ListUsers(std::string_view account_id) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kList(
        Select(kUserColumns, "FROM users WHERE account_id = $1 ORDER BY create_ms, name"));
    return sql::ListAll(conn, kList, {account_id}, &ReadUser);
  });
}

StoreResult<void> SqlStore::DeleteUser(std::string_view account_id, std::string_view name) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    static const Statement kHasKeys(
        "SELECT 1 FROM access_keys WHERE account_id = $1 AND user_name = $2 LIMIT 1");
    ASSIGN_OR_RETURN(const bool has_keys, sql::RowExists(conn, kHasKeys, {account_id, name}));
    if (has_keys) return MakeUnexpected(sql::Conflict("user still has AccessKeys"));
    // Attachments go with the user (ON DELETE CASCADE); a key created meanwhile on another node
    // makes the delete fail on the foreign key (kConflict).
    static const Statement kDelete("DELETE FROM users WHERE account_id = $1 AND name = $2");
    return sql::ChangeOne(conn, kDelete, {account_id, name}, "user");
  });
}

// AccessKeys --------------------------------------------------------------------------------------

StoreResult<void> SqlStore::CreateAccessKey(const AccessKeyRecord& k) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool user_exists,
                     sql::RowExists(conn, kUserExists, {k.account_id, k.user_name}));
    if (!user_exists) return MakeUnexpected(sql::NotFound("user"));
    // A user deleted meanwhile on another node fails the foreign key: that is kNotFound too.
    static const Statement kInsert(
        "INSERT INTO access_keys (id, account_id, user_name, sealed_secret, enabled, create_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6)");
    return sql::Recode(sql::Exec(conn, kInsert,
                                 {k.id, k.account_id, k.user_name, Value::Bytes(k.sealed_secret),
                                  Value::Bool(k.enabled), k.create_ms}),
                       conn, sql::Failure::kForeignKeyViolation, StoreErrorCode::kNotFound);
  });
}

StoreResult<AccessKeyRecord> SqlStore::GetAccessKey(std::string_view key_id) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kGet(Select(kAccessKeyColumns, "FROM access_keys WHERE id = $1"));
    return sql::GetOne(conn, kGet, {key_id}, &ReadAccessKey, "AccessKey");
  });
}

StoreResult<std::vector<AccessKeyRecord>> SqlStore::ListAccessKeys(std::string_view account_id,
                                                                   std::string_view user_name) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kList(
        Select(kAccessKeyColumns,
               "FROM access_keys WHERE account_id = $1 AND ($2 = '' OR user_name = $2) "
               "ORDER BY create_ms, id"));
    return sql::ListAll(conn, kList, {account_id, user_name}, &ReadAccessKey);
  });
}

StoreResult<void> SqlStore::SetAccessKeyEnabled(std::string_view account_id,
                                                std::string_view key_id, bool enabled) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kUpdate(
        "UPDATE access_keys SET enabled = $3 WHERE account_id = $1 AND id = $2");
    return sql::ChangeOne(conn, kUpdate, {account_id, key_id, Value::Bool(enabled)}, "AccessKey");
  });
}

StoreResult<void> SqlStore::DeleteAccessKey(std::string_view account_id, std::string_view key_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kDelete("DELETE FROM access_keys WHERE account_id = $1 AND id = $2");
    return sql::ChangeOne(conn, kDelete, {account_id, key_id}, "AccessKey");
  });
}

// Policies ----------------------------------------------------------------------------------------

StoreResult<void> SqlStore::CreatePolicy(const PolicyRecord& p) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kInsert(
        "INSERT INTO policies (account_id, name, description, document, create_ms) "
        "VALUES ($1, $2, $3, $4, $5)");
    return sql::Exec(conn, kInsert, {p.account_id, p.name, p.description, p.document, p.create_ms});
  });
}

StoreResult<PolicyRecord> SqlStore::GetPolicy(std::string_view account_id, std::string_view name) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kGet(
        Select(kPolicyColumns, "FROM policies WHERE account_id = $1 AND name = $2"));
    return sql::GetOne(conn, kGet, {account_id, name}, &ReadPolicy, "policy");
  });
}

StoreResult<std::vector<PolicyRecord>> SqlStore::ListPolicies(std::string_view account_id) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kList(
        Select(kPolicyColumns, "FROM policies WHERE account_id = $1 ORDER BY create_ms, name"));
    return sql::ListAll(conn, kList, {account_id}, &ReadPolicy);
  });
}

StoreResult<void> SqlStore::DeletePolicy(std::string_view account_id, std::string_view name) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool exists, sql::RowExists(conn, kPolicyExists, {account_id, name}));
    if (!exists) return MakeUnexpected(sql::NotFound("policy"));
    static const Statement kAttached(
        "SELECT 1 FROM policy_attachments WHERE account_id = $1 AND policy_name = $2 LIMIT 1");
    ASSIGN_OR_RETURN(const bool attached, sql::RowExists(conn, kAttached, {account_id, name}));
    if (attached) return MakeUnexpected(sql::Conflict("policy is attached to a user"));
    // An attachment made meanwhile on another node fails the foreign key (kConflict).
    static const Statement kDelete("DELETE FROM policies WHERE account_id = $1 AND name = $2");
    return sql::ChangeOne(conn, kDelete, {account_id, name}, "policy");
  });
}

StoreResult<void> SqlStore::AttachPolicy(std::string_view account_id, std::string_view policy_name,
                                         std::string_view user_name) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool policy_exists,
                     sql::RowExists(conn, kPolicyExists, {account_id, policy_name}));
    if (!policy_exists) return MakeUnexpected(sql::NotFound("policy"));
    ASSIGN_OR_RETURN(const bool user_exists,
                     sql::RowExists(conn, kUserExists, {account_id, user_name}));
    if (!user_exists) return MakeUnexpected(sql::NotFound("user"));
    // A second attachment violates the primary key (kAlreadyExists); a policy or user deleted
    // meanwhile on another node fails a foreign key (kNotFound).
    static const Statement kInsert(
        "INSERT INTO policy_attachments (account_id, policy_name, user_name) VALUES ($1, $2, $3)");
    return sql::Recode(sql::Exec(conn, kInsert, {account_id, policy_name, user_name}), conn,
                       sql::Failure::kForeignKeyViolation, StoreErrorCode::kNotFound);
  });
}

StoreResult<void> SqlStore::DetachPolicy(std::string_view account_id, std::string_view policy_name,
                                         std::string_view user_name) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kDelete(
        "DELETE FROM policy_attachments "
        "WHERE account_id = $1 AND policy_name = $2 AND user_name = $3");
    return sql::ChangeOne(conn, kDelete, {account_id, policy_name, user_name}, "policy attachment");
  });
}

StoreResult<std::vector<PolicyRecord>> SqlStore::ListPoliciesForUser(std::string_view account_id,
                                                                     std::string_view user_name) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kList(
        "SELECT p.account_id, p.name, p.description, p.document, p.create_ms "
        "FROM policy_attachments a JOIN policies p "
        "ON p.account_id = a.account_id AND p.name = a.policy_name "
        "WHERE a.account_id = $1 AND a.user_name = $2 ORDER BY p.create_ms, p.name");
    return sql::ListAll(conn, kList, {account_id, user_name}, &ReadPolicy);
  });
}

}  // namespace sag::store

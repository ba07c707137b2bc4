// The client users of SAG app instances (VPN accounts) and their simulated online sessions: the
// part of the store behind CreateSmartAccessGatewayClientUser and its family. Store inherits it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Included by store/store.h after StoreResult is defined: include store/store.h, not this file.

namespace sag::store {

// A client account of a SAG app instance, unique by (instance, user name). Its ClientIp is unique
// within the instance (a schema invariant).
struct ClientUserRecord {
  std::string account_id;  // the instance's account
  std::string instance_id;
  std::string user_name;
  std::string user_mail;
  int64_t bandwidth = 0;   // Kbit/s
  uint32_t client_ip = 0;  // IPv4, host order
  bool is_static_ip = false;
  int64_t state = 0;              // 0 enabled, 1 disabled
  bool disabled_by_root = false;  // disabled by the account's root user (not a RAM user)
  std::string password_hash;      // Argon2id string; never the plaintext
  int64_t create_ms = 0;
};

// The lowest address of pool (ranges in order) that is not in used (sorted ascending); nullopt
// when none is free. Both backends allocate dynamic ClientIps with it.
std::optional<uint32_t> LowestFreeClientIp(const std::vector<ClientIpRange>& pool,
                                           const std::vector<int64_t>& used);
// True when address lies in one of ranges.
bool InClientIpRanges(const std::vector<ClientIpRange>& ranges, int64_t address);

// Creates a client user (see ClientUserStore::CreateClientUser).
struct CreateClientUserRequest {
  ClientUserRecord user;            // is_static_ip: user.client_ip is the requested address
  std::vector<ClientIpRange> pool;  // where a dynamic address is allocated from, in order
  // The instance's CidrBlock the pool (and a static address's check) was derived from: when the
  // instance's CidrBlock is no longer this in the transaction, nothing is created (kPoolChanged).
  std::string cidr_block;
  int64_t max_users = 0;  // the instance's UserCount
};

// What CreateClientUser did; everything but kCreated changed nothing.
enum class CreateClientUserOutcome {
  kCreated,           // the user exists; result.user holds it with its ClientIp
  kInstanceNotFound,  // no such instance in the account
  kNameTaken,         // the instance has a user of that name
  kOverLimit,         // the instance has max_users users already
  kIpTaken,           // the static address is another user's
  kPoolExhausted,     // every address of the pool is taken
  kPoolChanged,       // the instance's CidrBlock changed since the pool was derived from it
};

// Where a new user of request goes, given the ClientIps already used on its instance (sorted
// ascending): kCreated with *user (request.user, its ClientIp allocated when dynamic), or
// kOverLimit, kIpTaken or kPoolExhausted. Both backends decide with it inside their create
// transaction.
CreateClientUserOutcome PlaceClientUser(const CreateClientUserRequest& request,
                                        const std::vector<int64_t>& used, ClientUserRecord* user);

struct CreateClientUserResult {
  CreateClientUserOutcome outcome = CreateClientUserOutcome::kInstanceNotFound;
  ClientUserRecord user;
};

// Selects client users of one instance. Empty fields do not filter.
struct ClientUserFilter {
  std::string account_id;
  std::string instance_id;
  std::string user_name;  // exact match
  std::string user_mail;  // exact match
  int64_t offset = 0;
  int64_t limit = 10;
};

// One page of client users, ordered by creation time then user name, and the total that match.
struct ClientUserPage {
  std::vector<ClientUserRecord> items;
  int64_t total = 0;
};

// Fields to change on a client user; unset fields stay as they are.
struct ClientUserPatch {
  std::optional<int64_t> bandwidth;
  std::optional<std::string> user_mail;
  std::optional<std::string> password_hash;
  std::optional<int64_t> state;  // setting 1 (disabled) also closes the user's sessions
  std::optional<bool> disabled_by_root;
};

// A simulated online connection of a client user (opened through the operator API).
struct ClientSessionRecord {
  std::string id;  // cs-...
  std::string instance_id;
  std::string user_name;
  uint32_t client_ip = 0;
  int64_t online_ms = 0;
};

// The client-user part of the store. Every method is one atomic transaction.
class ClientUserStore {
 public:
  virtual ~ClientUserStore() = default;

  // Creates request.user, atomically with its checks, in this order: the instance exists in the
  // account → no user of that name → fewer than max_users users → the static address is free, or
  // (dynamic) the lowest free address of the pool is taken. Whatever the number of concurrent
  // callers (threads, processes or nodes), names and addresses stay unique per instance and the
  // count never exceeds max_users.
  virtual StoreResult<CreateClientUserResult> CreateClientUser(
      const CreateClientUserRequest& request) = 0;
  // kNotFound when the user (or the instance in that account) is missing.
  virtual StoreResult<ClientUserRecord> GetClientUser(std::string_view account_id,
                                                      std::string_view instance_id,
                                                      std::string_view user_name) = 0;
  // Negative offset/limit count as 0.
  virtual StoreResult<ClientUserPage> ListClientUsers(const ClientUserFilter& filter) = 0;
  // Applies patch and returns the user as stored afterwards; kNotFound when missing. A patch that
  // sets state 1 closes the user's sessions in the same transaction.
  virtual StoreResult<ClientUserRecord> UpdateClientUser(std::string_view account_id,
                                                         std::string_view instance_id,
                                                         std::string_view user_name,
                                                         const ClientUserPatch& patch) = 0;
  // Deletes the user and its sessions; kNotFound when missing.
  virtual StoreResult<void> DeleteClientUser(std::string_view account_id,
                                             std::string_view instance_id,
                                             std::string_view user_name) = 0;

  // Sessions, addressed by instance id alone (the operator opens them for any account). Open:
  // kNotFound when the user is missing, kConflict when it is disabled; session.client_ip is set to
  // the user's address.
  virtual StoreResult<ClientSessionRecord> OpenClientSession(
      const ClientSessionRecord& session) = 0;
  // kNotFound when no such session.
  virtual StoreResult<void> CloseClientSession(std::string_view session_id) = 0;
  // The user's sessions ordered by online_ms then id (empty for an unknown user).
  virtual StoreResult<std::vector<ClientSessionRecord>> ListClientSessions(
      std::string_view instance_id, std::string_view user_name) = 0;
  // Closes every session of the user; returns how many were closed.
  virtual StoreResult<int64_t> CloseClientSessions(std::string_view instance_id,
                                                   std::string_view user_name) = 0;
};

}  // namespace sag::store

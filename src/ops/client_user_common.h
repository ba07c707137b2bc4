// What the SAG app (client user) operations share: loading an app instance with the operation's own
// codes, the value rules of client users, the ClientIp pool of an instance, and the wire views.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/api_error.h"
#include "common/result.h"
#include "ops/op.h"
#include "store/store.h"

namespace sag::ops {

// Loads the caller's SAG app instance: missing (or another account's, or in another region) is
// not_found; a hardware or vCPE instance is ActionNotSupport (docs/semantics.md).
Result<store::InstanceRecord, ApiError> LoadAppInstance(const OpContext& ctx, std::string_view id,
                                                        ApiErrorId not_found);

// Loads a client user of the instance; missing is ResourceNotFound.User.
Result<store::ClientUserRecord, ApiError> LoadClientUser(const OpContext& ctx,
                                                         const store::InstanceRecord& instance,
                                                         std::string_view user_name);

// A client user name: 7-33 of [A-Za-z0-9_@.-], starting with a letter or digit.
bool IsValidClientUserName(std::string_view name);
// A client password: 8-32 of [A-Za-z0-9_@.-], starting with a letter or digit.
bool IsValidClientPassword(std::string_view password);
// An e-mail address: local@domain, at most 254 characters; the local part of [A-Za-z0-9._%+-],
// the domain two or more dot-separated labels of [A-Za-z0-9-] (not starting or ending with '-').
bool IsValidEmail(std::string_view email);
// Reads Bandwidth (Kbit/s, 1-20000): fallback when absent; anything else is
// ClientUser.BandwidthInvalid.
Result<std::optional<int64_t>, ApiError> ReadClientBandwidth(const Params& params,
                                                             std::optional<int64_t> fallback);

// The addresses a ClientIp may take in the instance's CidrBlock list: of each block (prefix at most
// 30), everything but the network address, the gateway (network + 1) and the broadcast address.
// Empty when the instance has no usable block.
std::vector<store::ClientIpRange> ClientIpPool(const store::InstanceRecord& instance);

// A generated user name ("user" + 8 letters/digits) and password (16 letters/digits).
std::string GenerateClientUserName();
std::string GenerateClientPassword();

// The user as an element of DescribeSmartAccessGatewayClientUsers' Users.User[] list.
boost::json::object ClientUserListItem(const store::ClientUserRecord& user);

}  // namespace sag::ops

// LowestFreeClientIp (declared in client_user_store.h, which store.h includes in the right order).
#include <algorithm>

#include "store/store.h"

namespace sag::store {

std::optional<uint32_t> LowestFreeClientIp(const std::vector<ClientIpRange>& pool,
                                           const std::vector<int64_t>& used) {
  for (const ClientIpRange& range : pool) {
    int64_t candidate = range.first;
    auto it = std::lower_bound(used.begin(), used.end(), candidate);
    while (candidate <= int64_t{range.last}) {
      if (it == used.end() || *it != candidate) return static_cast<uint32_t>(candidate);
      ++candidate;
      ++it;
    }
  }
  return std::nullopt;
}

bool InClientIpRanges(const std::vector<ClientIpRange>& ranges, int64_t address) {
  return std::any_of(ranges.begin(), ranges.end(), [address](const ClientIpRange& r) {
    return address >= int64_t{r.first} && address <= int64_t{r.last};
  });
}

CreateClientUserOutcome PlaceClientUser(const CreateClientUserRequest& request,
                                        const std::vector<int64_t>& used, ClientUserRecord* user) {
  if (static_cast<int64_t>(used.size()) >= request.max_users) {
    return CreateClientUserOutcome::kOverLimit;
  }
  *user = request.user;
  if (user->is_static_ip) {
    if (std::binary_search(used.begin(), used.end(), int64_t{user->client_ip})) {
      return CreateClientUserOutcome::kIpTaken;
    }
    return CreateClientUserOutcome::kCreated;
  }
  std::optional<uint32_t> free = LowestFreeClientIp(request.pool, used);
  if (!free) return CreateClientUserOutcome::kPoolExhausted;
  user->client_ip = *free;
  return CreateClientUserOutcome::kCreated;
}

}  // namespace sag::store

#include "store/version_store.h"

#include <algorithm>

namespace sag::store {

bool ApplyUpgradeChange(const UpgradeChange& change, UpgradeRecord& u) {
  if (IsTerminal(u.state)) return false;
  if (!change.from_states.empty() && std::find(change.from_states.begin(), change.from_states.end(),
                                               u.state) == change.from_states.end()) {
    return false;
  }
  u.state = change.state;
  if (change.detail) u.detail = *change.detail;
  if (change.generation) u.generation = *change.generation;
  if (change.bytes_done) u.bytes_done = *change.bytes_done;
  if (change.deadline_ms) u.deadline_ms = *change.deadline_ms;
  return true;
}

}  // namespace sag::store

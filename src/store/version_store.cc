#include "store/version_store.h"

namespace sag::store {

bool IsTerminalUpgradeState(std::string_view state) {
  return state == kUpgradeSucceeded || state == kUpgradeFailed || state == kUpgradeReverted ||
         state == kUpgradeTimedOut;
}

}  // namespace sag::store

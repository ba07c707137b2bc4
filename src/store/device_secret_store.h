// Replacing a device's secret (ClearSagCipher: a vCPE device's key is reset): the part of the store
// that gives a device a new sagd-generated secret. Store inherits it.
#pragma once

#include <cstdint>
#include <string_view>

// Included by store/store.h after StoreResult is defined: include store/store.h, not this file.

namespace sag::store {

class DeviceSecretStore {
 public:
  virtual ~DeviceSecretStore() = default;

  // Gives the device bound to instance_id a new sealed secret that sagd generated
  // (secret_generated, readable by the instance's account) and records now_ms as its secret_ms.
  // kNotFound when the device is missing or not bound to that instance. The old secret stops
  // authenticating at once; ending a session that used it is the caller's part.
  virtual StoreResult<void> RotateDeviceSecret(std::string_view instance_id,
                                               std::string_view serial_number,
                                               std::string_view sealed_secret, int64_t now_ms) = 0;
};

}  // namespace sag::store

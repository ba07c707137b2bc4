// SqlStore: replacing a device's secret (store/device_secret_store.h).
#include "store/sql/queries.h"
#include "store/sql/sql_store.h"

namespace sag::store {

namespace {

using sql::Connection;
using sql::Statement;
using sql::Txn;
using sql::Value;

}  // namespace

StoreResult<void> SqlStore::RotateDeviceSecret(std::string_view instance_id,
                                               std::string_view serial_number,
                                               std::string_view sealed_secret, int64_t now_ms) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    static const Statement kRotate(
        "UPDATE devices SET sealed_secret = $3, secret_generated = TRUE, secret_ms = $4 "
        "WHERE serial_number = $2 AND serial_number IN "
        "(SELECT serial_number FROM device_bindings WHERE instance_id = $1)");
    return sql::ChangeOne(
        conn, kRotate, {instance_id, serial_number, Value::Bytes(sealed_secret), now_ms}, "device");
  });
}

}  // namespace sag::store

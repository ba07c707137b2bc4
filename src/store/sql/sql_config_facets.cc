// SqlStore: configuration facets (store/config_facet_store.h). Each device's stamp row
// (config_facet_revisions) is locked while it is compared and written, so of two computations the
// one at the later revision wins whatever order they commit in.
#include <optional>

#include "store/config_decisions.h"
#include "store/decisions.h"
#include "store/sql/facet_rows.h"
#include "store/sql/queries.h"
#include "store/sql/sql_store.h"

namespace sag::store {

namespace {

using sql::Connection;
using sql::Rows;
using sql::Statement;
using sql::Txn;

ConfigFacetStamp ReadStamp(const Rows& rows, int row) {
  return ConfigFacetStamp{.instance_id = rows.Text(row, 0), .revision = rows.Int(row, 1)};
}

StoreResult<bool> IsBoundTo(Connection& conn, std::string_view serial_number,
                            std::string_view instance_id) {
  static const Statement kBound(
      "SELECT 1 FROM device_bindings WHERE serial_number = $1 AND instance_id = $2");
  return sql::RowExists(conn, kBound, {serial_number, instance_id});
}

}  // namespace

StoreResult<std::vector<ConfigFacetChange>> SqlStore::SetConfigFacets(
    const ConfigFacetUpdate& update) {
  return Transact(
      Txn::kWrite, [&](Connection& conn) -> StoreResult<std::vector<ConfigFacetChange>> {
        std::vector<ConfigFacetChange> changes;
        for (const ConfigFacetValue& v : update.values) {
          ASSIGN_OR_RETURN(const bool bound, IsBoundTo(conn, v.serial_number, v.instance_id));
          if (!bound) continue;
          // The stamp row (created empty) is the lock that orders computations for this device and
          // facet; the facet row itself is created only when the value changes, so a device with
          // nothing configured shows no facet.
          static const Statement kEnsureStamp(
              "INSERT INTO config_facet_revisions (serial_number, facet, instance_id, revision) "
              "VALUES ($1, $2, '', 0) ON CONFLICT (serial_number, facet) DO NOTHING");
          RETURN_IF_ERROR(sql::Exec(conn, kEnsureStamp, {v.serial_number, update.facet}));
          static const Statement kStamp(
              "SELECT instance_id, revision FROM config_facet_revisions "
              "WHERE serial_number = $1 AND facet = $2 FOR UPDATE");
          ASSIGN_OR_RETURN(std::optional<ConfigFacetStamp> stamp,
                           sql::FindOne(conn, kStamp, {v.serial_number, update.facet}, &ReadStamp));
          static const Statement kFacet(
              "SELECT " + std::string(sql::kFacetColumns) +
              " FROM device_facets WHERE serial_number = $1 AND facet = $2");
          ASSIGN_OR_RETURN(
              std::optional<DeviceFacetRecord> existing,
              sql::FindOne(conn, kFacet, {v.serial_number, update.facet}, &sql::ReadFacet));
          const std::string& current = existing && existing->desired_generation > 0
                                           ? existing->desired_value
                                           : update.empty_value;
          const ConfigFacetDecision decision =
              DecideConfigFacet(stamp, v.instance_id, update.revision, current, v.value);
          if (decision == ConfigFacetDecision::kSkip) continue;
          static const Statement kWriteStamp(
              "INSERT INTO config_facet_revisions (serial_number, facet, instance_id, revision) "
              "VALUES ($1, $2, $3, $4) ON CONFLICT (serial_number, facet) DO UPDATE SET "
              "instance_id = excluded.instance_id, revision = excluded.revision");
          RETURN_IF_ERROR(sql::Exec(
              conn, kWriteStamp, {v.serial_number, update.facet, v.instance_id, update.revision}));
          if (decision == ConfigFacetDecision::kRecordOnly) continue;
          ASSIGN_OR_RETURN(DeviceFacetRecord f,
                           sql::LockFacet(conn, v.serial_number, update.facet, update.now_ms));
          f.desired_generation = NextDesiredGeneration(f);
          f.desired_value = v.value;
          f.update_ms = update.now_ms;
          RETURN_IF_ERROR(sql::WriteFacet(conn, f));
          changes.push_back(ConfigFacetChange{.serial_number = v.serial_number,
                                              .generation = f.desired_generation,
                                              .value = v.value});
        }
        return changes;
      });
}

}  // namespace sag::store

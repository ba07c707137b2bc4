// SqlStore: fleet-wide counts (store/fleet_stats_store.h).
#include "store/sql/queries.h"
#include "store/sql/sql_store.h"

namespace sag::store {

StoreResult<std::vector<std::pair<std::string, int64_t>>> SqlStore::CountUpgradesByState() {
  return Transact(
      sql::Txn::kReadOne,
      [&](sql::Connection& conn) -> StoreResult<std::vector<std::pair<std::string, int64_t>>> {
        static const sql::Statement kCount(
            "SELECT state, COUNT(*) FROM upgrades GROUP BY state ORDER BY state");
        ASSIGN_OR_RETURN(sql::Rows rows, conn.Run(kCount, {}));
        std::vector<std::pair<std::string, int64_t>> out;
        for (int i = 0; i < rows.size(); ++i) {
          out.emplace_back(rows.Text(i, 0), rows.Int(i, 1));
        }
        return out;
      });
}

}  // namespace sag::store

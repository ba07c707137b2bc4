#include "store/sql/config_revision.h"

#include "store/sql/queries.h"

namespace sag::store::sql {

StoreResult<int64_t> RaiseConfigRevision(Connection& conn, std::string_view account_id) {
  static const Statement kRaise(
      "INSERT INTO config_revisions (account_id, revision) VALUES ($1, 1) "
      "ON CONFLICT (account_id) DO UPDATE SET revision = config_revisions.revision + 1 "
      "RETURNING revision");
  ASSIGN_OR_RETURN(Rows rows, conn.Run(kRaise, {account_id}));
  return rows.empty() ? int64_t{0} : rows.Int(0, 0);
}

StoreResult<int64_t> ReadConfigRevision(Connection& conn, std::string_view account_id) {
  static const Statement kRead("SELECT revision FROM config_revisions WHERE account_id = $1");
  ASSIGN_OR_RETURN(Rows rows, conn.Run(kRead, {account_id}));
  return rows.empty() ? int64_t{0} : rows.Int(0, 0);
}

}  // namespace sag::store::sql

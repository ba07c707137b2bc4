// Cross-account grants and what they allow: a SAG instance granted to another account's CCN (and
// bound there), a CCN granted to another account's CEN, a CCN attached to a CEN, a SAG instance
// granted to another account's VBR and bound to VBRs; the part of the store behind the grant, CEN
// and VBR operations (docs/semantics.md "Grants"). Store inherits it.
//
// In every grant the owner of the shared object makes it; lookups of the owner's side are scoped to
// (account, region) like instances (an empty region matches any region; another account's object
// is "not found"). UIDs are account ids (decimal text).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Included by store/store.h after StoreResult is defined: include store/store.h, not this file.

namespace sag::store {

// A SAG instance's owner lets a CCN of another account bind it. At most one per instance.
struct SagCcnGrantRecord {
  std::string id;          // sgc-...
  std::string account_id;  // the instance's (the granting) account
  std::string region_id;   // the instance's region
  std::string instance_id;
  std::string ccn_id;   // the other account's CCN
  std::string ccn_uid;  // the account owning ccn_id
  bool grant_traffic_service = false;
  int64_t create_ms = 0;
};

// A CCN's owner lets a CEN of another account attach the CCN. Unique by (CCN, CEN).
struct CenGrantRecord {
  std::string id;          // a UUID
  std::string account_id;  // the CCN's account
  std::string region_id;   // the CCN's region
  std::string ccn_id;
  std::string cen_id;
  std::string cen_uid;
  bool grant_traffic_service = false;
  int64_t create_ms = 0;
  int64_t modify_ms = 0;
};

// A SAG instance's owner lets a VBR of another account bind it. Unique by (instance, VBR).
struct VbrGrantRecord {
  std::string id;          // sgv-...
  std::string account_id;  // the instance's account
  std::string region_id;   // the instance's region
  std::string instance_id;
  std::string vbr_id;
  std::string vbr_region_id;
  std::string vbr_uid;
  int64_t create_ms = 0;
  bool bound = false;  // filled on reads: the instance is bound to the VBR now
};

// A SAG instance bound to a VBR. A VBR is bound to at most one instance and an instance to at
// most one VBR.
struct VbrBindingRecord {
  std::string vbr_id;
  std::string vbr_region_id;
  std::string instance_id;
  std::string instance_account_id;  // the instance's owner
  int64_t create_ms = 0;
};

// A page of grants, in creation order (ties by id), and the total that match.
template <typename T>
struct GrantPage {
  std::vector<T> items;
  int64_t total = 0;
};

// What GrantSagToCcn did; everything but kGranted changed nothing.
enum class SagGrantOutcome {
  kGranted,           // the grant exists (id as requested)
  kAlreadyGranted,    // the instance is granted to this CCN already (same CCN and UID): nothing
                      // changed; the existing grant's id is returned
  kInstanceNotFound,  // no such instance in (account, region)
  kGrantedElsewhere,  // the instance is granted to another CCN
};

// What RevokeSagFromCcn did; everything but kRevoked changed nothing.
enum class SagRevokeOutcome {
  kRevoked,           // the grant is gone; an instance bound to that CCN through it is unbound
  kInstanceNotFound,  // no such instance in (account, region)
  kNotGranted,        // the instance has no grant to that CCN
};

// What BindGrantedInstance / UnbindGrantedInstance did; everything but kBound / kUnbound changed
// nothing.
enum class GrantedBindOutcome {
  kBound,         // the instance's ccn_id is now the CCN's id
  kUnbound,       // the instance's ccn_id is now empty
  kNotGranted,    // no such instance of the owner, or it is not granted to the caller's CCN
  kCcnNotFound,   // the caller has no such CCN in the instance's region
  kAlreadyBound,  // bind: the instance is bound to this CCN already
  kBoundToOther,  // bind: the instance is bound to another CCN
  kNotBound,      // unbind: the instance is not bound to this CCN
};

// What GrantCcnToCen / RevokeCcnFromCen / AttachCcnToCen / DetachCcnFromCen did; everything but
// kDone changed nothing.
enum class CenOutcome {
  kDone,           // granted (or its GrantTrafficService updated), revoked, attached or detached
  kCcnNotFound,    // no such CCN in (account, region)
  kNotGranted,     // revoke: no grant of the CCN to that CEN
  kAttachedOther,  // attach: the CCN is attached to another CEN (one CEN per CCN)
  kNotAttached,    // detach: the CCN is not attached to that CEN
};

// What GrantSagToVbr / RevokeSagFromVbr did; everything but kDone changed nothing.
enum class VbrGrantOutcome {
  kDone,              // granted (an existing grant to that VBR is kept with its id) or revoked
  kInstanceNotFound,  // no such instance in (account, region)
  kNotGranted,        // revoke: no grant to that VBR
};

// Binds or unbinds a VBR (see GrantStore::BindVbr).
struct VbrBindRequest {
  std::string caller_account_id;  // who calls
  std::string owner_account_id;   // the instance's owner (the caller when not cross-account)
  std::string region_id;          // the instance's region ("" = any)
  std::string instance_id;
  std::string vbr_id;
  std::string vbr_region_id;
  int64_t now_ms = 0;
};

// What BindVbr / UnbindVbr did; everything but kBound / kUnbound changed nothing.
enum class VbrBindOutcome {
  kBound,
  kUnbound,
  kInstanceNotFound,    // no such instance of the owner, or (cross-account) no grant to the VBR
                        // for the caller
  kNotBoundCcn,         // bind: the instance is on no CCN
  kAlreadyBound,        // bind: the instance is bound to this VBR already
  kInstanceBoundOther,  // bind: the instance is bound to another VBR
  kVbrBoundOther,       // bind: the VBR is bound to another instance
  kNotBound,            // unbind: the instance is not bound to that VBR
};

class GrantStore {
 public:
  virtual ~GrantStore() = default;

  // SAG -> CCN grants. GrantSagToCcn locks the instance and checks, in this order: the instance
  // exists in (account, region) → it has no grant to another CCN (kGrantedElsewhere) → a grant to
  // this CCN already (kAlreadyGranted, its id in the result). Returns the outcome and the grant's
  // id.
  virtual StoreResult<std::pair<SagGrantOutcome, std::string>> GrantSagToCcn(
      const SagCcnGrantRecord& grant) = 0;
  // Checks: the instance exists → it has a grant to ccn_id (kNotGranted). The revocation also
  // unbinds the instance when it is bound to that CCN (its owner takes it back).
  virtual StoreResult<SagRevokeOutcome> RevokeSagFromCcn(std::string_view account_id,
                                                         std::string_view region_id,
                                                         std::string_view instance_id,
                                                         std::string_view ccn_id) = 0;
  // The grants of the owner's instance (empty when it is not the owner's), paged.
  virtual StoreResult<GrantPage<SagCcnGrantRecord>> ListSagCcnGrants(std::string_view account_id,
                                                                     std::string_view region_id,
                                                                     std::string_view instance_id,
                                                                     int64_t offset,
                                                                     int64_t limit) = 0;
  // The grants naming the CCN ccn_id of account ccn_uid, in creation order.
  virtual StoreResult<std::vector<SagCcnGrantRecord>> ListGrantsToCcn(std::string_view ccn_uid,
                                                                      std::string_view ccn_id) = 0;
  // Binds (bind = true) or unbinds the owner's instance to/from the caller's CCN through a grant,
  // atomically (the instance row locked, the CCN share-locked). Checks, in this order: the owner's
  // instance exists and is granted to (ccn_id, caller) → the caller's CCN exists in the instance's
  // region → bind: not bound to it already → not bound to another; unbind: bound to it.
  virtual StoreResult<GrantedBindOutcome> BindGrantedInstance(std::string_view caller_account_id,
                                                              std::string_view ccn_id,
                                                              std::string_view owner_account_id,
                                                              std::string_view instance_id,
                                                              bool bind) = 0;

  // CCN -> CEN grants and the CCN's CEN. GrantCcnToCen: the CCN exists in (account, region) →
  // insert, or on a grant to the same CEN update GrantTrafficService, cen_uid and modify_ms (the
  // id is kept). RevokeCcnFromCen: the CCN → the grant exists. ListCenGrants: the account's
  // grants, only of ccn_id when it is set.
  virtual StoreResult<CenOutcome> GrantCcnToCen(const CenGrantRecord& grant) = 0;
  virtual StoreResult<CenOutcome> RevokeCcnFromCen(std::string_view account_id,
                                                   std::string_view region_id,
                                                   std::string_view ccn_id,
                                                   std::string_view cen_id) = 0;
  virtual StoreResult<GrantPage<CenGrantRecord>> ListCenGrants(std::string_view account_id,
                                                               std::string_view region_id,
                                                               std::string_view ccn_id,
                                                               int64_t offset, int64_t limit) = 0;
  // AttachCcnToCen: the CCN → not attached to another CEN (attaching to its CEN again is kDone).
  // DetachCcnFromCen: the CCN → attached to that CEN. GetCcnCen: the CEN the CCN (of any
  // account) is attached to, "" when none. DeleteCcn refuses (kConflict) while attached.
  virtual StoreResult<CenOutcome> AttachCcnToCen(std::string_view account_id,
                                                 std::string_view region_id,
                                                 std::string_view ccn_id, std::string_view cen_id,
                                                 int64_t now_ms) = 0;
  virtual StoreResult<CenOutcome> DetachCcnFromCen(std::string_view account_id,
                                                   std::string_view region_id,
                                                   std::string_view ccn_id,
                                                   std::string_view cen_id) = 0;
  virtual StoreResult<std::string> GetCcnCen(std::string_view ccn_id) = 0;

  // SAG -> VBR grants. GrantSagToVbr: the instance exists in (account, region) → insert unless
  // granted to that VBR already. RevokeSagFromVbr: the instance → the grant exists; a binding of
  // the instance to that VBR made by another account goes with it. ListVbrGrants: the account's
  // grants, filtered by instance and VBR when set, with `bound` filled.
  virtual StoreResult<VbrGrantOutcome> GrantSagToVbr(const VbrGrantRecord& grant) = 0;
  virtual StoreResult<VbrGrantOutcome> RevokeSagFromVbr(std::string_view account_id,
                                                        std::string_view region_id,
                                                        std::string_view instance_id,
                                                        std::string_view vbr_id) = 0;
  virtual StoreResult<GrantPage<VbrGrantRecord>> ListVbrGrants(std::string_view account_id,
                                                               std::string_view region_id,
                                                               std::string_view instance_id,
                                                               std::string_view vbr_id,
                                                               int64_t offset, int64_t limit) = 0;
  // BindVbr / UnbindVbr lock the instance and check, in this order: the owner's instance exists
  // and, when the caller is not the owner, is granted to (vbr_id, caller) → bind: it is on a CCN
  // → not bound to this VBR already → not bound to another VBR → the VBR is not bound to another
  // instance (a schema invariant too); unbind: it is bound to that VBR.
  virtual StoreResult<VbrBindOutcome> BindVbr(const VbrBindRequest& request) = 0;
  virtual StoreResult<VbrBindOutcome> UnbindVbr(const VbrBindRequest& request) = 0;
  // The bindings of the given VBRs in vbr_region_id, in the order of vbr_ids (absent ones left
  // out).
  virtual StoreResult<std::vector<VbrBindingRecord>> ListVbrBindings(
      const std::vector<std::string>& vbr_ids, std::string_view vbr_region_id) = 0;
};

}  // namespace sag::store

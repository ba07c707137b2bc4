// ResetState's cost in the store: ResetAccounts("") (every account) on a store holding 10,000
// instances and 1,000 client users in 100 accounts besides the operator's. Every iteration
// repopulates the store untimed, then times the one reset transaction. SQLite runs on a temporary
// file (synchronous=FULL); PostgreSQL joins (BM_PgResetEveryAccount) when SAG_BENCH_PG_DSN names a
// server, on a scratch database created for the run and dropped at exit.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include "bench_support.h"
#include "store/pg/pg_store.h"
#include "store/pg/pg_util.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using sag::bench::PgAdmin;
using sag::store::Store;

constexpr int kAccounts = 100;
constexpr int kInstancesPerAccount = 100;  // 10,000 instances
constexpr int kClientUserEvery = 10;       // one client user on every 10th instance: 1,000
constexpr char kRegion[] = "cn-shanghai";

std::string g_pg_conninfo;  // set in main when SAG_BENCH_PG_DSN is given

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "populating failed: %s\n", what);
    std::abort();
  }
}

sag::store::InstanceRecord Instance(const std::string& account, const std::string& id) {
  sag::store::InstanceRecord r;
  r.id = id;
  r.account_id = account;
  r.region_id = kRegion;
  r.name = id;
  r.status = "Active";
  r.instance_type = "software";
  r.hardware_spec = "sag-100wm";
  r.ha_type = "no_backup";
  r.cidr_block = "192.168.0.0/24";
  r.user_count = 10;
  r.create_ms = 1;
  r.end_ms = 2;
  return r;
}

// The operator account (in round 0; a reset keeps it) and kAccounts tenants, each with a root user
// and an AccessKey, holding kAccounts * kInstancesPerAccount instances and a client user on every
// kClientUserEvery-th one.
void Populate(Store& store, int round) {
  const std::string tag = std::to_string(round);
  if (round == 0) Check(store.CreateAccount({"9000", "operator", true, 1}).has_value(), "operator");
  for (int a = 0; a < kAccounts; ++a) {
    const std::string account = "1" + tag + "-" + std::to_string(a);
    Check(store.CreateAccount({account, "acct-" + account, false, 1}).has_value(), "account");
    Check(store.CreateUser({account, "root", "root", true, 1}).has_value(), "user");
    Check(store.CreateAccessKey({"LTAI" + account, account, "root", "sealed", true, 1}).has_value(),
          "key");
    for (int i = 0; i < kInstancesPerAccount; ++i) {
      const std::string id = "sag-" + account + "-" + std::to_string(i);
      Check(store.CreateInstance(Instance(account, id)).has_value(), "instance");
      if (i % kClientUserEvery != 0) continue;
      sag::store::CreateClientUserRequest user;
      user.user.account_id = account;
      user.user.instance_id = id;
      user.user.user_name = "u";
      user.user.user_mail = "u@example.com";
      user.user.password_hash = "hash";
      user.pool = {{0xC0A80001u, 0xC0A800FEu}};
      user.cidr_block = "192.168.0.0/24";
      user.max_users = 10;
      auto created = store.CreateClientUser(user);
      Check(
          created.has_value() && created->outcome == sag::store::CreateClientUserOutcome::kCreated,
          "client user");
    }
  }
}

void ResetEveryAccount(benchmark::State& state, std::unique_ptr<Store> store) {
  int round = 0;
  for (auto _ : state) {
    Populate(*store, round++);
    const auto start = std::chrono::steady_clock::now();
    auto r = store->ResetAccounts("");
    const auto end = std::chrono::steady_clock::now();
    if (!r || r->accounts_removed != kAccounts) {
      state.SkipWithError("ResetAccounts failed");
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(end - start).count());
  }
}

void BM_ResetEveryAccount(benchmark::State& state) {
  auto store = sag::store::SqliteStore::Open(
      (sag::bench::ScratchDir("sag_reset_bench") / "reset.sqlite").string());
  if (!store) {
    state.SkipWithError("SqliteStore::Open failed");
    return;
  }
  ResetEveryAccount(state, std::move(store).value());
}
BENCHMARK(BM_ResetEveryAccount)->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_PgResetEveryAccount(benchmark::State& state) {
  auto store = sag::store::PgStore::Open(g_pg_conninfo);
  if (!store) {
    state.SkipWithError("PgStore::Open failed");
    return;
  }
  ResetEveryAccount(state, std::move(store).value());
}

}  // namespace

int main(int argc, char** argv) {
  const char* dsn = std::getenv("SAG_BENCH_PG_DSN");
  std::string pg_name;
  if (dsn != nullptr && *dsn != '\0') {
    pg_name = "sag_reset_bench_" + std::to_string(getpid());
    PgAdmin(dsn, "CREATE DATABASE " + pg_name + " TEMPLATE template0 ENCODING 'UTF8'");
    auto with = sag::store::pg::WithDatabase(dsn, pg_name);
    if (!with) {
      std::fprintf(stderr, "SAG_BENCH_PG_DSN: %s\n", with.error().c_str());
      return 1;
    }
    g_pg_conninfo = *with;
    benchmark::RegisterBenchmark("BM_PgResetEveryAccount", &BM_PgResetEveryAccount)
        ->Iterations(3)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!pg_name.empty()) PgAdmin(dsn, "DROP DATABASE IF EXISTS " + pg_name + " WITH (FORCE)");
  return 0;
}

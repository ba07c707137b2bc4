// Throughput of the store: durable CreateInstance calls per second (each one a committed, fsynced
// transaction) and GetInstance calls per second, single- and multi-threaded. SQLite runs on a
// temporary file; PostgreSQL joins (BM_Pg*) when SAG_BENCH_PG_DSN names a server (keyword/value
// conninfo or URI), on a scratch database created for the run and dropped at exit.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include "bench_support.h"
#include "store/pg/pg_store.h"
#include "store/pg/pg_util.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using sag::bench::PgAdmin;
using sag::store::InstanceRecord;
using sag::store::PgStore;
using sag::store::SqliteStore;
using sag::store::Store;

constexpr char kAccount[] = "1000000000000001";
constexpr char kRegion[] = "cn-shanghai";
constexpr int kPreloadedInstances = 1000;

// A scratch PostgreSQL database for this run on SAG_BENCH_PG_DSN, dropped at exit.
struct PgScratch {
  explicit PgScratch(std::string server_dsn) : dsn(std::move(server_dsn)) {
    name = "sag_store_bench_" + std::to_string(getpid());
    PgAdmin(dsn, "CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'");
    auto with = sag::store::pg::WithDatabase(dsn, name);
    if (!with) {
      std::fprintf(stderr, "SAG_BENCH_PG_DSN: %s\n", with.error().c_str());
      std::abort();
    }
    conninfo = *with;
  }
  ~PgScratch() { PgAdmin(dsn, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); }
  std::string dsn, name, conninfo;
};

PgScratch* g_pg = nullptr;  // set in main when SAG_BENCH_PG_DSN is given

std::unique_ptr<Store> OpenSqlite(const std::string& name) {
  auto store =
      SqliteStore::Open((sag::bench::ScratchDir("sag_store_bench") / (name + ".sqlite")).string());
  if (!store) {
    std::fprintf(stderr, "SqliteStore::Open: %s\n", store.error().c_str());
    std::abort();
  }
  return std::move(store).value();
}

// PostgreSQL stores share the scratch database; each benchmark uses its own id prefix.
std::unique_ptr<Store> OpenPg(const std::string& /*name*/) {
  auto store = PgStore::Open(g_pg->conninfo);
  if (!store) {
    std::fprintf(stderr, "PgStore::Open: %s\n", store.error().c_str());
    std::abort();
  }
  return std::move(store).value();
}

using Opener = std::unique_ptr<Store> (*)(const std::string&);

InstanceRecord MakeInstance(const std::string& prefix, int64_t n) {
  InstanceRecord r;
  r.id = prefix + std::to_string(n);
  r.account_id = kAccount;
  r.region_id = kRegion;
  r.name = "bench-" + std::to_string(n);
  r.description = "benchmark instance";
  r.status = "Active";
  r.instance_type = "hardware";
  r.hardware_spec = "sag-100wm";
  r.ha_type = "no_backup";
  r.max_bandwidth = 50;
  r.cidr_block = "192.168.0.0/24";
  r.routing_strategy = "static";
  r.security_lock_threshold = 600;
  r.charge_type = "PREPAY";
  r.period_months = 12;
  r.create_ms = 1700000000000 + n;
  r.end_ms = r.create_ms + 1000;
  return r;
}

// Durable inserts: every iteration is one committed transaction (SQLite: synchronous=FULL).
void CreateInstances(benchmark::State& state, Opener open) {
  static int run = 0;
  const std::string name = "create-" + std::to_string(run++);
  auto store = open(name);
  int64_t n = 0;
  for (auto _ : state) {
    if (!store->CreateInstance(MakeInstance("sag-" + name + "-", n++))) {
      state.SkipWithError("CreateInstance failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// A store preloaded with kPreloadedInstances instances, shared by all benchmark threads.
Store& Preloaded(Opener open, std::once_flag& once, std::unique_ptr<Store>& store) {
  // Constructed first, so that it is removed after the store below is closed.
  sag::bench::ScratchDir("sag_store_bench");
  std::call_once(once, [&] {
    store = open("get");
    for (int64_t n = 0; n < kPreloadedInstances; ++n) {
      if (!store->CreateInstance(MakeInstance("sag-", n))) {
        std::fprintf(stderr, "preloading failed\n");
        std::abort();
      }
    }
  });
  return *store;
}

// Point reads by (account, region, id).
void GetInstances(benchmark::State& state, Store& store) {
  int64_t n = state.thread_index();
  for (auto _ : state) {
    const std::string id = "sag-" + std::to_string(n % kPreloadedInstances);
    auto r = store.GetInstance(kAccount, kRegion, id);
    if (!r) {
      state.SkipWithError("GetInstance failed");
      break;
    }
    benchmark::DoNotOptimize(r);
    n += 7;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_CreateInstance(benchmark::State& state) { CreateInstances(state, &OpenSqlite); }
BENCHMARK(BM_CreateInstance)->UseRealTime();

// Durable audit-trail appends (docs/benchmarks.md "Audit trail"): each iteration is one
// transaction of state.range(0) events, as the audit writer's group commit makes them; items are
// events.
void AppendAuditEvents(benchmark::State& state, Opener open) {
  static int run = 0;
  auto store = open("audit-" + std::to_string(run++));
  const int64_t batch = state.range(0);
  std::vector<sag::store::AuditEventRecord> events(
      static_cast<size_t>(batch),
      sag::store::AuditEventRecord{.event_ms = 1700000000000,
                                   .account_id = kAccount,
                                   .user_name = "root",
                                   .access_key_id = "LTAIbench000000000000001",
                                   .source_address = "127.0.0.1",
                                   .event_source = "smartag",
                                   .action = "ModifySmartAccessGateway",
                                   .resource_arn = "acs:smartag:cn-hangzhou:1:smartag/sag-x",
                                   .request_id = "00000000-0000-4000-8000-000000000000",
                                   .result_code = "Success",
                                   .http_status = 200,
                                   .detail = ""});
  for (auto _ : state) {
    if (!store->AppendAuditEvents(events)) {
      state.SkipWithError("AppendAuditEvents failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

void BM_AppendAuditEvents(benchmark::State& state) { AppendAuditEvents(state, &OpenSqlite); }
BENCHMARK(BM_AppendAuditEvents)->Arg(1)->Arg(8)->Arg(32)->UseRealTime();
void BM_PgAppendAuditEvents(benchmark::State& state) { AppendAuditEvents(state, &OpenPg); }

std::once_flag sqlite_once;
std::unique_ptr<Store> sqlite_store;

void BM_GetInstance(benchmark::State& state) {
  GetInstances(state, Preloaded(&OpenSqlite, sqlite_once, sqlite_store));
}
BENCHMARK(BM_GetInstance)->ThreadRange(1, 4)->UseRealTime();

std::once_flag pg_once;
std::unique_ptr<Store> pg_store;

void BM_PgCreateInstance(benchmark::State& state) { CreateInstances(state, &OpenPg); }
void BM_PgGetInstance(benchmark::State& state) {
  GetInstances(state, Preloaded(&OpenPg, pg_once, pg_store));
}

}  // namespace

int main(int argc, char** argv) {
  const char* dsn = std::getenv("SAG_BENCH_PG_DSN");
  std::unique_ptr<PgScratch> pg;
  if (dsn != nullptr && *dsn != '\0') {
    pg = std::make_unique<PgScratch>(dsn);
    g_pg = pg.get();
    benchmark::RegisterBenchmark("BM_PgCreateInstance", &BM_PgCreateInstance)->UseRealTime();
    benchmark::RegisterBenchmark("BM_PgGetInstance", &BM_PgGetInstance)
        ->ThreadRange(1, 4)
        ->UseRealTime();
    benchmark::RegisterBenchmark("BM_PgAppendAuditEvents", &BM_PgAppendAuditEvents)
        ->Arg(1)
        ->Arg(8)
        ->Arg(32)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  sqlite_store.reset();
  pg_store.reset();  // before the scratch database is dropped
  return 0;
}

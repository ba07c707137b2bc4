// The durable replay window of a single node: NonceJournal over a real SQLite file, restarted by
// opening a new journal (and window) on the same database.
#include "auth/nonce_journal.h"

#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "auth/shared_nonce_window.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_test_support.h"

namespace sag::auth {
namespace {

constexpr int64_t kWindow = 15 * 60 * 1000;
constexpr int64_t kT0 = 1'700'000'000'000;

NonceUse Use(std::string_view nonce, int64_t timestamp_ms, bool changes_state) {
  return NonceUse{.access_key_id = "AK",
                  .nonce = nonce,
                  .timestamp_ms = timestamp_ms,
                  .valid_until_ms = timestamp_ms + kWindow,
                  .changes_state = changes_state};
}

// One run of a node: its window and journal on the shared database file.
struct NodeRun {
  NonceWindow window;
  NonceJournal journal;
  NodeRun(store::Store& store, const Clock& clock)
      : journal(window, store, clock, NonceJournalOptions{.writer_thread = false}) {}
};

class NonceJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(store::testing::NewDatabasePath(), 4);
    ASSERT_TRUE(s.has_value()) << s.error();
    store_ = std::move(*s);
  }

  std::unique_ptr<NodeRun> StartRun() {
    auto run = std::make_unique<NodeRun>(*store_, clock_);
    auto started = run->journal.Start();
    EXPECT_TRUE(started.has_value()) << started.error();
    return run;
  }

  size_t StoredNonces() {
    size_t n = 0;
    EXPECT_TRUE(store_->ForEachNonce(clock_.NowMs(), [&](const store::NonceRecord&) { ++n; }));
    return n;
  }

  FakeClock clock_{kT0};
  std::unique_ptr<store::SqliteStore> store_;
};

TEST_F(NonceJournalTest, AChangingCallsNonceIsWrittenBeforeItIsAccepted) {
  auto run = StartRun();
  EXPECT_EQ(run->journal.Check(Use("create-1", kT0, true), kT0).verdict, ReplayVerdict::kNew);
  EXPECT_EQ(run->journal.queued(), 0u);
  EXPECT_EQ(StoredNonces(), 1u);
}

TEST_F(NonceJournalTest, ReadingCallsAreQueuedThenWrittenInOneBatch) {
  auto run = StartRun();
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(run->journal.Check(Use("read-" + std::to_string(i), kT0, false), kT0).verdict,
              ReplayVerdict::kNew);
  }
  EXPECT_EQ(run->journal.queued(), 10u);
  EXPECT_EQ(StoredNonces(), 0u);
  EXPECT_TRUE(run->journal.Flush());
  EXPECT_EQ(run->journal.queued(), 0u);
  EXPECT_EQ(StoredNonces(), 10u);
}

TEST_F(NonceJournalTest, ACleanStopKeepsEveryNonceAndSetsNoFence) {
  auto first = StartRun();
  ASSERT_EQ(first->journal.Check(Use("create", kT0, true), kT0).verdict, ReplayVerdict::kNew);
  ASSERT_EQ(first->journal.Check(Use("read", kT0, false), kT0).verdict, ReplayVerdict::kNew);
  first->journal.Stop();  // writes the queued read
  first.reset();

  clock_.Advance(1000);
  auto second = StartRun();
  EXPECT_EQ(second->journal.fence_ms(), 0);
  EXPECT_EQ(second->window.KeySize("AK"), 2u);
  EXPECT_EQ(second->journal.Check(Use("create", kT0, true), kT0 + 1000).verdict,
            ReplayVerdict::kReplay);
  EXPECT_EQ(second->journal.Check(Use("read", kT0, false), kT0 + 1000).verdict,
            ReplayVerdict::kReplay);
  // A new request signed before the restart is fine after a clean stop.
  EXPECT_EQ(second->journal.Check(Use("other", kT0, false), kT0 + 1000).verdict,
            ReplayVerdict::kNew);
}

// A run that never stops (kill -9) loses its queue; the next start refuses every request signed
// before it, and keeps refusing them after later clean restarts until they expire on their own.
TEST_F(NonceJournalTest, AnUncleanStopFencesRequestsSignedBeforeTheRestart) {
  auto crashed = StartRun();
  ASSERT_EQ(crashed->journal.Check(Use("create", kT0, true), kT0).verdict, ReplayVerdict::kNew);
  ASSERT_EQ(crashed->journal.Check(Use("lost-read", kT0, false), kT0).verdict, ReplayVerdict::kNew);
  // ... and the process dies here: nothing more of `crashed` reaches the database.

  clock_.Advance(2000);
  const int64_t restart = clock_.NowMs();
  auto second = StartRun();
  EXPECT_EQ(second->journal.fence_ms(), restart);
  EXPECT_EQ(second->window.KeySize("AK"), 1u);  // the lost read was never written
  EXPECT_EQ(second->journal.Check(Use("lost-read", kT0, false), restart).verdict,
            ReplayVerdict::kReplay);
  EXPECT_EQ(second->journal.Check(Use("create", kT0, true), restart).verdict,
            ReplayVerdict::kReplay);
  // Requests signed after the restart go through, with a client clock right at it too.
  EXPECT_EQ(second->journal.Check(Use("fresh", restart, false), restart).verdict,
            ReplayVerdict::kNew);
  second->journal.Stop();
  second.reset();

  clock_.Advance(1000);
  auto third = StartRun();
  EXPECT_EQ(third->journal.fence_ms(), restart);
  EXPECT_EQ(third->journal.Check(Use("lost-read", kT0, false), clock_.NowMs()).verdict,
            ReplayVerdict::kReplay);
  EXPECT_EQ(third->journal.Check(Use("fresh", restart, false), clock_.NowMs()).verdict,
            ReplayVerdict::kReplay);
  crashed.reset();
}

TEST_F(NonceJournalTest, ANewDatabaseHasNoFence) {
  auto run = StartRun();
  EXPECT_EQ(run->journal.fence_ms(), 0);
  EXPECT_EQ(run->journal.Check(Use("old-but-valid", kT0 - 10 * 60 * 1000, false), kT0).verdict,
            ReplayVerdict::kNew);
}

TEST_F(NonceJournalTest, ThrottlingComesFromTheWindowAndWritesNothing) {
  NonceWindow window({.per_key_max = 1, .global_max = 100});
  NonceJournal journal(window, *store_, clock_, NonceJournalOptions{.writer_thread = false});
  ASSERT_TRUE(journal.Start().has_value());
  ASSERT_EQ(journal.Check(Use("a", kT0, true), kT0).verdict, ReplayVerdict::kNew);
  const ReplayCheck refused = journal.Check(Use("b", kT0, true), kT0);
  EXPECT_EQ(refused.verdict, ReplayVerdict::kThrottled);
  EXPECT_GT(refused.retry_after_ms, 0);
  EXPECT_EQ(StoredNonces(), 1u);
}

TEST_F(NonceJournalTest, TheWriterThreadWritesWithoutBeingAsked) {
  NonceWindow window;
  NonceJournal journal(window, *store_, clock_,
                       NonceJournalOptions{.flush_interval = std::chrono::milliseconds(5)});
  ASSERT_TRUE(journal.Start().has_value());
  ASSERT_EQ(journal.Check(Use("read", kT0, false), kT0).verdict, ReplayVerdict::kNew);
  // Waits on the condition (the writer's next round), however long the sanitizers make it.
  while (StoredNonces() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(journal.queued(), 0u);
}

// Several nodes: each checks its own window (its bounds) and then the shared table, so a nonce
// used on one node is a replay on another.
TEST_F(NonceJournalTest, SharedWindowRefusesOnOneNodeWhatAnotherAccepted) {
  NonceWindow local_a({.per_key_max = 2, .global_max = 100});
  NonceWindow local_b;
  SharedNonceWindow node_a(local_a, *store_);
  SharedNonceWindow node_b(local_b, *store_);
  EXPECT_EQ(node_a.Check(Use("n1", kT0, false), kT0).verdict, ReplayVerdict::kNew);
  EXPECT_EQ(node_b.Check(Use("n1", kT0, false), kT0).verdict, ReplayVerdict::kReplay);
  EXPECT_EQ(node_a.Check(Use("n1", kT0, false), kT0).verdict, ReplayVerdict::kReplay);
  EXPECT_EQ(node_a.Check(Use("n2", kT0, false), kT0).verdict, ReplayVerdict::kNew);
  EXPECT_EQ(node_a.Check(Use("n3", kT0, false), kT0).verdict, ReplayVerdict::kThrottled);
  EXPECT_EQ(node_b.Check(Use("n3", kT0, false), kT0).verdict, ReplayVerdict::kNew);
}

}  // namespace
}  // namespace sag::auth

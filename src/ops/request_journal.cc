#include "ops/request_journal.h"

#include <cctype>

#include "auth/policy.h"

namespace sag::ops {

namespace {

bool ContainsIgnoringCase(std::string_view text, std::string_view word) {
  if (word.size() > text.size()) return false;
  for (size_t i = 0; i + word.size() <= text.size(); ++i) {
    bool same = true;
    for (size_t j = 0; j < word.size() && same; ++j) {
      same = std::tolower(static_cast<unsigned char>(text[i + j])) == word[j];
    }
    if (same) return true;
  }
  return false;
}

// value cut to at most max bytes, never inside a UTF-8 sequence.
std::string Cut(std::string_view value, size_t max) {
  if (value.size() <= max) return std::string(value);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
  return std::string(value.substr(0, end)) + "...";
}

bool Matches(const JournalEntry& e, const JournalFilter& f) {
  if (!f.target_action.empty() &&
      !auth::WildcardMatch(f.target_action, e.action, /*case_insensitive=*/false)) {
    return false;
  }
  if (!f.account_id.empty() && e.account_id != f.account_id) return false;
  if (!f.code.empty() && (f.code == "OK" ? !e.code.empty() : e.code != f.code)) return false;
  return true;
}

}  // namespace

bool IsRedactedParameter(std::string_view name) {
  return name == "Signature" || name == "SecurityToken" || ContainsIgnoringCase(name, "secret") ||
         ContainsIgnoringCase(name, "password");
}

std::vector<std::pair<std::string, std::string>> RedactParameters(const Params& params,
                                                                  bool* truncated) {
  std::vector<std::pair<std::string, std::string>> out;
  *truncated = false;
  for (const auto& [name, value] : params.values()) {
    if (out.size() == kMaxJournalParameters) {
      *truncated = true;
      break;
    }
    out.emplace_back(Cut(name, kMaxJournalValueBytes), IsRedactedParameter(name)
                                                           ? std::string(kRedacted)
                                                           : Cut(value, kMaxJournalValueBytes));
  }
  return out;
}

void RequestJournal::Add(JournalEntry entry) {
  if (capacity_ == 0) return;
  if (entry.unread_parameters.size() > kMaxJournalParameters) {
    entry.unread_parameters.resize(kMaxJournalParameters);
  }
  for (std::string& name : entry.unread_parameters) name = Cut(name, kMaxJournalValueBytes);
  std::lock_guard lock(mu_);
  if (entries_.size() == capacity_) entries_.pop_front();
  entries_.push_back(std::move(entry));
}

std::vector<JournalEntry> RequestJournal::List(const JournalFilter& filter) const {
  std::vector<JournalEntry> out;
  std::lock_guard lock(mu_);
  for (auto it = entries_.rbegin(); it != entries_.rend() && out.size() < filter.max_results;
       ++it) {
    if (Matches(*it, filter)) out.push_back(*it);
  }
  return out;
}

std::optional<JournalEntry> RequestJournal::Get(std::string_view request_id) const {
  std::lock_guard lock(mu_);
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->request_id == request_id) return *it;
  }
  return std::nullopt;
}

}  // namespace sag::ops

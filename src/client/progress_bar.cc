#include "client/progress_bar.h"

#include <cstdio>
#include <unistd.h>

namespace sag::client {

namespace {
int Percent(uint64_t done, uint64_t total) {
  if (total == 0 || done >= total) return 100;
  return static_cast<int>(done * 100 / total);
}
}  // namespace

std::string RenderProgressBar(std::string_view label, uint64_t done, uint64_t total, int width) {
  const int percent = Percent(done, total);
  const int filled = percent * width / 100;
  char figures[64];
  std::snprintf(figures, sizeof figures, "] %3d%%  %.1f/%.1f MiB", percent,
                static_cast<double>(done) / (1 << 20), static_cast<double>(total) / (1 << 20));
  return std::string(label) + " [" + std::string(static_cast<size_t>(filled), '#') +
         std::string(static_cast<size_t>(width - filled), ' ') + figures;
}

void ProgressBar::Update(uint64_t done, uint64_t total) {
  if (finished_) return;
  const int percent = Percent(done, total);
  if (percent == last_percent_) return;
  last_percent_ = percent;
  out_ << "\r" << RenderProgressBar(label_, done, total, 30);
  if (percent == 100) {
    out_ << "\n";
    finished_ = true;
  }
  out_.flush();
}

bool IsInteractive() { return isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1; }

}  // namespace sag::client

// A one-line progress bar for a terminal, redrawn in place ("\r"), e.g. sag's artifact upload.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace sag::client {

// "label [#######             ]  35%  1.2/3.4 MiB" with a bar of width characters.
std::string RenderProgressBar(std::string_view label, uint64_t done, uint64_t total, int width);

// Draws the bar on out when the whole percentage changes, and ends the line at 100 %.
class ProgressBar {
 public:
  ProgressBar(std::ostream& out, std::string label) : out_(out), label_(std::move(label)) {}
  void Update(uint64_t done, uint64_t total);

 private:
  std::ostream& out_;
  std::string label_;
  int last_percent_ = -1;
  bool finished_ = false;
};

// True when both stdout and stderr are terminals (sag draws progress only then).
bool IsInteractive();

}  // namespace sag::client

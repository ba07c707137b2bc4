// The web console's files (console/app), compiled into the binary by console/embed_files.cmake.
#pragma once

#include <span>
#include <string_view>

namespace sag::server {

// One file of the console.
struct ConsoleFile {
  std::string_view path;    // relative to console/app, '/'-separated, e.g. "index.html"
  std::string_view sha256;  // lower-case hex of the bytes
  std::string_view bytes;
};

// Every file, sorted by path. Defined by the generated source of the sag_console_assets target.
std::span<const ConsoleFile> ConsoleFiles();

}  // namespace sag::server

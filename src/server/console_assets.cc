#include "server/console_assets.h"

#include <algorithm>
#include <string>

#include "server/console_files.h"

namespace sag::server {
namespace {

std::string_view ContentType(std::string_view path) {
  struct Type {
    std::string_view extension;
    std::string_view content_type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const Type& t : kTypes) {
    if (path.ends_with(t.extension)) return t.content_type;
  }
  return "application/octet-stream";
}

api::HttpResponse WithSecurityHeaders(api::HttpResponse r) {
  r.headers.emplace_back("Content-Security-Policy", std::string(kConsoleCsp));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  r.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
  return r;
}

api::HttpResponse Plain(int status, std::string_view text) {
  api::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = std::string(text) + "\n";
  return WithSecurityHeaders(std::move(r));
}

const ConsoleFile* FindFile(std::string_view relative) {
  auto files = ConsoleFiles();
  auto it = std::lower_bound(files.begin(), files.end(), relative,
                             [](const ConsoleFile& f, std::string_view p) { return f.path < p; });
  return it != files.end() && it->path == relative ? &*it : nullptr;
}

// True when the If-None-Match header value names etag, weakly (W/"x" matches "x") or as "*".
bool Matches(std::string_view if_none_match, std::string_view etag) {
  return if_none_match.find('*') != std::string_view::npos ||
         if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

bool IsConsoleTarget(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  return path == kConsolePrefix.substr(0, kConsolePrefix.size() - 1) ||
         path.starts_with(kConsolePrefix);
}

api::HttpResponse ServeConsole(const api::HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    api::HttpResponse r = Plain(405, "Method Not Allowed");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  if (!path.starts_with(kConsolePrefix)) {
    api::HttpResponse r = Plain(308, "Permanent Redirect");
    r.headers.emplace_back("Location", std::string(kConsolePrefix));
    return r;
  }
  std::string_view relative = path.substr(kConsolePrefix.size());
  if (relative.empty()) relative = "index.html";
  const ConsoleFile* file = FindFile(relative);
  if (file == nullptr) return Plain(404, "Not Found");

  const std::string etag = "\"" + std::string(file->sha256.substr(0, 32)) + "\"";
  api::HttpResponse r;
  r.headers.emplace_back("ETag", etag);
  // Revalidated on every load: a new sagd serves its own console at once, and an unchanged file
  // costs a 304.
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (Matches(request.Header("if-none-match"), etag)) {
    r.status = 304;
    return WithSecurityHeaders(std::move(r));
  }
  r.status = 200;
  r.headers.emplace_back("Content-Type", std::string(ContentType(file->path)));
  if (request.method == "GET") r.body = std::string(file->bytes);
  return WithSecurityHeaders(std::move(r));
}

}  // namespace sag::server

// Serving the web console at /console/ (docs/console.md): its files from the binary, with their
// content types, revalidation caching (ETag, Cache-Control: no-cache) and a strict
// Content-Security-Policy. Runs on a request worker and reads nothing but the embedded files.
#pragma once

#include <string_view>

#include "api/http_types.h"

namespace sag::server {

// The console's path prefix; "/console" alone redirects to it.
inline constexpr std::string_view kConsolePrefix = "/console/";

// True when the request target (path and query) is the console's: "/console" or under
// "/console/".
bool IsConsoleTarget(std::string_view target);

// Answers a request whose target IsConsoleTarget: 200 with the file ("/console/" is index.html),
// 304 when If-None-Match names its ETag, 308 from "/console" to "/console/", 404 for any path that
// is no file, 405 for a method other than GET or HEAD (HEAD answers GET's headers without a body).
// Every answer carries the console's security headers.
api::HttpResponse ServeConsole(const api::HttpRequest& request);

// The Content-Security-Policy of every console answer: scripts, styles and images only from this
// origin (no inline script or style), API calls only to this origin, no frames, no form posts.
inline constexpr std::string_view kConsoleCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace sag::server

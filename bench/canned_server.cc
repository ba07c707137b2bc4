// sag-canned-server: the same Beast listener and worker pool as sagd, answering every request with
// a fixed DescribeSmartAccessGatewayAttribute-sized JSON body. It is the "limit" in
// docs/benchmarks.md: what the HTTP stack alone can do on this machine, without signature checks,
// store reads or rendering.
#include <cstdio>
#include <signal.h>
#include <string>

#include "api/http_server.h"

int main(int argc, char** argv) {
  sag::api::HttpServerOptions options;
  options.port = argc > 1 ? static_cast<uint16_t>(std::stoi(argv[1])) : 0;
  std::string body(1500, 'x');
  body = "{\"RequestId\":\"00000000-0000-4000-8000-000000000000\",\"Pad\":\"" + body + "\"}";
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  sag::api::HttpServer server(
      options,
      [&body](const sag::api::HttpRequest&) {
        sag::api::HttpResponse r;
        r.headers.emplace_back("Content-Type", "application/json;charset=utf-8");
        r.body = body;
        return r;
      },
      [](const sag::api::HttpRequest&) {
        return sag::api::HttpResponse{413, {}, ""};
      });
  std::string error;
  if (!server.Start(&error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::printf("sag-canned-server listening on http://127.0.0.1:%u\n", server.port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  server.Stop();
  return 0;
}

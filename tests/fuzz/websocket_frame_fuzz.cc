// Fuzzes the device channel's frame path, which reads bytes from devices before they proved who
// they are: raw bytes arrive as client frames on a Beast websocket stream (server role) configured
// as the device channel configures it (src/device/device_session.cc: the upgrade request already
// read, the same largest message), and every message read goes to the device message parser.
// Properties: nothing crashes or throws out of the stream; no message read exceeds the channel's
// limit; a message that parses as a hello formats and parses again.
#include <cstdint>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket.hpp>

#include "device/protocol.h"
#include "fuzz_support.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace device = sag::device;
using sag::fuzz::Require;

// The device's upgrade request, as the listener hands it to the channel.
http::request<http::string_body> UpgradeRequest() {
  http::request<http::string_body> req{http::verb::get, "/device/v1/channel", 11};
  req.set(http::field::host, "sagd");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  return req;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  boost::asio::io_context io;
  beast::test::stream device_side(io);
  websocket::stream<beast::test::stream> ws(io);
  ws.next_layer().connect(device_side);
  ws.read_message_max(device::kMaxFrameBytes);
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "sagd"); }));
  beast::error_code ec;
  ws.accept(UpgradeRequest(), ec);
  Require(!ec, "the channel accepts a well-formed upgrade");
  ws.next_layer().append(sag::fuzz::AsText(data, size));
  device_side.close();  // after the fuzzed bytes, the device goes away
  beast::flat_buffer buffer;
  for (int messages = 0; messages < 64; ++messages) {
    ws.read(buffer, ec);
    if (ec) break;
    Require(buffer.size() <= device::kMaxFrameBytes, "a message stays within the channel's limit");
    const std::string text = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    auto parsed = device::ParseDeviceMessage(text);
    if (parsed && parsed->type == device::DeviceMessageType::kHello) {
      auto again = device::ParseDeviceMessage(device::FormatHello(parsed->hello));
      Require(again.has_value() && again->type == device::DeviceMessageType::kHello,
              "a hello read from the channel formats and parses again");
    }
  }
  return 0;
}

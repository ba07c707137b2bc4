#include "client/json_pretty.h"

#include <gtest/gtest.h>

namespace sag::client {
namespace {

TEST(PrettyPrintJsonTest, IndentsTwoSpacesAndKeepsOrderAndLexemes) {
  auto r = PrettyPrintJson(
      R"({"RequestId":"A-B","Regions":{"Region":[{"RegionId":"cn-hangzhou","LocalName":"华东 1"}]},)"
      R"("Total":1.50,"Big":12345678901234567890,"Esc":"a\"b,{c}:[d]","E":{},"L":[ ],"N":null})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, R"({
  "RequestId": "A-B",
  "Regions": {
    "Region": [
      {
        "RegionId": "cn-hangzhou",
        "LocalName": "华东 1"
      }
    ]
  },
  "Total": 1.50,
  "Big": 12345678901234567890,
  "Esc": "a\"b,{c}:[d]",
  "E": {},
  "L": [],
  "N": null
})");
}

TEST(PrettyPrintJsonTest, ScalarsAndWhitespace) {
  EXPECT_EQ(PrettyPrintJson("  true \n"), "true");
  EXPECT_EQ(PrettyPrintJson("\"x\\\\\""), "\"x\\\\\"");
  EXPECT_EQ(PrettyPrintJson("[1, 2]"), "[\n  1,\n  2\n]");
}

TEST(PrettyPrintJsonTest, RejectsNonJson) {
  EXPECT_FALSE(PrettyPrintJson("").has_value());
  EXPECT_FALSE(PrettyPrintJson("<Response/>").has_value());
  EXPECT_FALSE(PrettyPrintJson("{\"a\":1").has_value());
  EXPECT_FALSE(PrettyPrintJson("{} {}").has_value());
}

}  // namespace
}  // namespace sag::client

// The terminal progress bar (client/progress_bar.h).
#include "client/progress_bar.h"

#include <algorithm>
#include <sstream>

#include <gtest/gtest.h>

namespace sag::client {
namespace {

TEST(ProgressBarTest, RendersTheShareDoneAsABarAPercentageAndMebibytes) {
  EXPECT_EQ(RenderProgressBar("Uploading", 0, 4 << 20, 10),
            "Uploading [          ]   0%  0.0/4.0 MiB");
  EXPECT_EQ(RenderProgressBar("Uploading", 1 << 20, 4 << 20, 10),
            "Uploading [##        ]  25%  1.0/4.0 MiB");
  EXPECT_EQ(RenderProgressBar("Uploading", 4 << 20, 4 << 20, 10),
            "Uploading [##########] 100%  4.0/4.0 MiB");
  EXPECT_EQ(RenderProgressBar("x", 0, 0, 4), "x [####] 100%  0.0/0.0 MiB");
}

TEST(ProgressBarTest, RedrawsInPlaceOnlyWhenThePercentageChangesAndEndsTheLineOnce) {
  std::ostringstream out;
  ProgressBar bar(out, "Up");
  bar.Update(0, 1000);
  bar.Update(1, 1000);  // still 0 %: nothing drawn
  bar.Update(500, 1000);
  bar.Update(1000, 1000);
  bar.Update(1000, 1000);
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 3);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find(" 50%"), std::string::npos);
}

}  // namespace
}  // namespace sag::client

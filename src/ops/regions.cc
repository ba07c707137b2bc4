#include "ops/regions.h"

namespace sag::ops {

const std::vector<RegionInfo>& AllRegions() {
  static const std::vector<RegionInfo> kRegions = {
      {"cn-hangzhou", "华东1（杭州）", "China (Hangzhou)", "中国 (杭州)"},
      {"cn-shanghai", "华东2（上海）", "China (Shanghai)", "中国 (上海)"},
      {"cn-shanghai-finance-1", "华东2 金融云", "China East 2 Finance", "中国東部 2 金融"},
      {"cn-hongkong", "中国香港", "China (Hong Kong)", "中国 (香港)"},
      {"ap-southeast-1", "新加坡", "Singapore", "シンガポール"},
      {"ap-southeast-2", "澳大利亚（悉尼）", "Australia (Sydney)", "オーストラリア (シドニー)"},
      {"ap-southeast-3", "马来西亚（吉隆坡）", "Malaysia (Kuala Lumpur)",
       "マレーシア (クアラルンプール)"},
      {"ap-southeast-5", "印度尼西亚（雅加达）", "Indonesia (Jakarta)",
       "インドネシア (ジャカルタ)"},
      {"ap-northeast-1", "日本（东京）", "Japan (Tokyo)", "日本 (東京)"},
      {"eu-central-1", "德国（法兰克福）", "Germany (Frankfurt)", "ドイツ (フランクフルト)"},
  };
  return kRegions;
}

bool IsKnownRegion(std::string_view id) {
  for (const auto& r : AllRegions()) {
    if (r.id == id) return true;
  }
  return false;
}

}  // namespace sag::ops

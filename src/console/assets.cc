#include "console/assets.h"

namespace activa::console {

const Asset* FindAsset(std::string_view name) {
  for (const Asset& asset : Assets()) {
    if (name == asset.name) return &asset;
  }
  return nullptr;
}

}  // namespace activa::console

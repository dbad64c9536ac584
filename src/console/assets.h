// The console's web files, embedded in the binary at build time
// (embed_files.cmake generates their definitions from src/console/web/).
#ifndef ACTIVA_CONSOLE_ASSETS_H_
#define ACTIVA_CONSOLE_ASSETS_H_

#include <cstddef>
#include <span>
#include <string_view>

namespace activa::console {

struct Asset {
  const char* name;          // its path under /console/: "app.js"
  const char* content_type;  // "text/javascript; charset=utf-8"
  const unsigned char* data;
  std::size_t size;

  std::string_view bytes() const { return {reinterpret_cast<const char*>(data), size}; }
};

// Every embedded file; static storage, never changes.
std::span<const Asset> Assets();

// The file named `name` ("index.html"), or nullptr.
const Asset* FindAsset(std::string_view name);

}  // namespace activa::console

#endif  // ACTIVA_CONSOLE_ASSETS_H_

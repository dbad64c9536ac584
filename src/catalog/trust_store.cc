#include "catalog/trust_store.h"

#include <cstdio>

#include "base/bytes.h"

namespace activa {
namespace {

constexpr std::string_view kTag = "activa-trusted-vendor-v1";

// Owned by root or by us, and writable by nobody else.
Status CheckOwner(System& system, const std::string& path, bool want_directory) {
  Result<System::FileInfo> info = system.Stat(path);
  if (!info.ok()) return info.status();
  if (info->is_symlink) {
    return Status(ResultCode::kAccessDenied,
                  path + ": is a symbolic link; trust files must be plain files");
  }
  if (info->is_directory != want_directory) {
    return Status(ResultCode::kAccessDenied,
                  path + (want_directory ? ": is not a folder" : ": is not a plain file"));
  }
  if (info->uid != 0 && info->uid != system.EffectiveUid()) {
    return Status(ResultCode::kAccessDenied,
                  path + ": owned by uid " + std::to_string(info->uid) +
                      ", not by root; only root may decide which vendors this machine trusts");
  }
  if ((info->mode & 022) != 0) {
    char mode[16];
    std::snprintf(mode, sizeof mode, "%04o", info->mode);
    return Status(ResultCode::kAccessDenied,
                  path + ": mode " + mode + " lets others change it; run chmod go-w " + path);
  }
  return Status::Ok();
}

}  // namespace

std::string FormatTrustFile(const PublicKey& key, std::string_view vendor_name) {
  std::string name(vendor_name);
  for (char& c : name) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return std::string(kTag) + " " + Base64Encode(key) + " " + name + "\n";
}

Result<TrustedVendor> ParseTrustFile(std::string_view text, const std::string& file) {
  Status bad(ResultCode::kInvalidData, file + ": not an Activa trust file (expected \"" +
                                           std::string(kTag) + " BASE64KEY NAME\")");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text.find('\n') != std::string_view::npos) return bad;
  if (text.substr(0, kTag.size()) != kTag || text.size() <= kTag.size() ||
      text[kTag.size()] != ' ') {
    return bad;
  }
  text.remove_prefix(kTag.size() + 1);
  std::size_t space = text.find(' ');
  std::string_view b64 = text.substr(0, space);
  Bytes raw;
  if (!Base64Decode(b64, &raw) || raw.size() != 32) return bad;
  TrustedVendor v;
  std::copy(raw.begin(), raw.end(), v.key.begin());
  v.name = space == std::string_view::npos ? std::string() : std::string(text.substr(space + 1));
  v.file = file;
  return v;
}

std::vector<TrustedVendor> LoadTrustedVendors(System& system, const std::string& dir,
                                              std::vector<std::string>* problems) {
  std::vector<TrustedVendor> out;
  if (Status s = CheckOwner(system, dir, /*want_directory=*/true); !s.ok()) {
    problems->push_back("no vendor is trusted: " + s.message());
    return out;
  }
  Result<std::vector<std::string>> names = system.ListFiles(dir);
  if (!names.ok()) {
    problems->push_back("no vendor is trusted: " + names.status().message());
    return out;
  }
  for (const std::string& name : *names) {
    if (!name.ends_with(kTrustFileSuffix)) continue;
    const std::string path = dir + "/" + name;
    if (Status s = CheckOwner(system, path, /*want_directory=*/false); !s.ok()) {
      problems->push_back("trust file refused: " + s.message());
      continue;
    }
    Result<std::string> text = system.ReadFile(path);
    Result<TrustedVendor> v =
        text.ok() ? ParseTrustFile(*text, path) : Result<TrustedVendor>(text.status());
    if (!v.ok()) {
      problems->push_back("trust file refused: " + v.status().message());
      continue;
    }
    out.push_back(std::move(v).value());
  }
  if (out.empty()) problems->push_back("no vendor is trusted: no usable trust file in " + dir);
  return out;
}

}  // namespace activa

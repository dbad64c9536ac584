#include "dns/resolv_conf.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace activa::dns {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string StripDot(std::string s) {
  while (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

ResolvConf ParseResolvConf(std::string_view text) {
  ResolvConf conf;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find_first_of("#;"); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string keyword;
    if (!(words >> keyword)) continue;
    if (keyword == "nameserver") {
      std::string address;
      if (words >> address) conf.nameservers.push_back(address);
    } else if (keyword == "domain" || keyword == "search") {
      // resolv.conf(5): "domain" and "search" are mutually exclusive; the
      // last instance wins.
      conf.search.clear();
      std::string domain;
      while (words >> domain) {
        domain = StripDot(domain);
        if (!domain.empty()) conf.search.push_back(domain);
        if (keyword == "domain") break;
      }
    }
  }
  return conf;
}

std::vector<std::string> SearchDomainsFor(std::string_view host_name, const ResolvConf& conf) {
  std::vector<std::string> candidates;
  std::string host = StripDot(std::string(host_name));
  if (auto dot = host.find('.'); dot != std::string::npos)
    candidates.push_back(host.substr(dot + 1));
  candidates.insert(candidates.end(), conf.search.begin(), conf.search.end());
  std::vector<std::string> out;
  for (std::string& c : candidates) {
    c = StripDot(c);
    if (c.empty()) continue;
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const std::string& o) { return Lower(o) == Lower(c); });
    if (!seen) out.push_back(c);
  }
  return out;
}

}  // namespace activa::dns

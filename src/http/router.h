// Routes requests to handlers by method and path. A path ending in '/'
// matches every path under it; otherwise the match is exact. The longest
// match wins, so "/console/" can serve files while "/console/api/x" has a
// handler of its own.
//
// Not thread-safe for Add; Dispatch is const and may run concurrently once
// every route is added.
#ifndef ACTIVA_HTTP_ROUTER_H_
#define ACTIVA_HTTP_ROUTER_H_

#include <string>
#include <vector>

#include "http/http_types.h"

namespace activa::http {

class Router {
 public:
  // A second route for the same method and path replaces the first.
  void Add(std::string method, std::string path, Handler handler);

  // Calls the matching handler, or answers 404 (no route for the path) or
  // 405 with an Allow header (the path is routed, not for this method).
  void Dispatch(const Request& request, Reply reply) const;

  bool empty() const { return routes_.empty(); }

 private:
  struct Route {
    std::string method;
    std::string path;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace activa::http

#endif  // ACTIVA_HTTP_ROUTER_H_

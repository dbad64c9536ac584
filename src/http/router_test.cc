#include "http/router.h"

#include <gtest/gtest.h>

namespace activa::http {
namespace {

Request Get(std::string path) {
  Request request;
  request.method = "GET";
  request.path = std::move(path);
  return request;
}

Response Answer(const Router& router, const Request& request) {
  Response answer;
  answer.status = 0;
  router.Dispatch(request, [&](Response r) { answer = std::move(r); });
  return answer;
}

Handler Says(std::string body) {
  return [body](const Request&, Reply reply) {
    Response r;
    r.body = body;
    reply(std::move(r));
  };
}

TEST(RouterTest, ExactPathsAndTheLongestPrefixWin) {
  Router router;
  router.Add("GET", "/console/", Says("files"));
  router.Add("GET", "/console/api/overview", Says("overview"));
  router.Add("GET", "/metrics", Says("metrics"));
  EXPECT_EQ(Answer(router, Get("/console/index.html")).body, "files");
  EXPECT_EQ(Answer(router, Get("/console/api/overview")).body, "overview");
  EXPECT_EQ(Answer(router, Get("/metrics")).body, "metrics");
  // An exact route is not a prefix.
  EXPECT_EQ(Answer(router, Get("/metrics/x")).status, 404u);
}

TEST(RouterTest, AnotherMethodGets405WithAllow) {
  Router router;
  router.Add("POST", "/v1/login", Says("login"));
  Response r = Answer(router, Get("/v1/login"));
  EXPECT_EQ(r.status, 405u);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "POST");
}

TEST(RouterTest, AddingTheSameRouteAgainReplacesIt) {
  Router router;
  router.Add("GET", "/healthz", Says("one"));
  router.Add("GET", "/healthz", Says("two"));
  EXPECT_EQ(Answer(router, Get("/healthz")).body, "two");
}

TEST(RouterTest, ErrorsAreJsonNamingThePath) {
  Router router;
  Response r = Answer(router, Get("/nope\"x"));
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":{"status":404,"message":"no such path: /nope\"x"}})");
}

TEST(RequestTest, HeaderFindsTheFirstOfItsName) {
  Request request;
  request.headers = {{"cookie", "a=1"}, {"cookie", "b=2"}};
  EXPECT_EQ(request.Header("cookie"), "a=1");
  EXPECT_EQ(request.Header("authorization"), "");
}

}  // namespace
}  // namespace activa::http

// Every example in docs/management.md decodes and re-encodes to the same
// JSON value, so the document and the codec cannot drift apart.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "management/codec.h"
#include "management/operations.h"

namespace activa::management {
namespace {

namespace json = boost::json;

// The ```json blocks of the document, each with the "### `op`" heading it
// stands under and whether it is a request (its "op" member says so).
struct Example {
  std::string op;
  std::string text;
};

std::vector<Example> Examples() {
  std::ifstream in(ACTIVA_MANAGEMENT_DOC);
  std::string line, op, block;
  bool inside = false;
  std::vector<Example> out;
  while (std::getline(in, line)) {
    if (inside) {
      if (line == "```") {
        out.push_back({op, block});
        inside = false;
      } else {
        block += line + "\n";
      }
    } else if (line == "```json") {
      inside = true;
      block.clear();
    } else if (line.rfind("### `", 0) == 0) {
      op = line.substr(5, line.find('`', 5) - 5);
    }
  }
  return out;
}

TEST(DocExamplesTest, EveryOperationHasARequestAndAResponse) {
  std::vector<Example> examples = Examples();
  for (const OperationSpec& spec : Operations()) {
    int requests = 0, responses = 0;
    for (const Example& e : examples) {
      if (e.op != spec.name) continue;
      (e.text.find("\"op\"") != std::string::npos ? requests : responses)++;
    }
    EXPECT_GE(requests, 1) << spec.name;
    EXPECT_GE(responses, 1) << spec.name;
  }
}

TEST(DocExamplesTest, DecodeAndEncodeGiveTheSameJson) {
  std::vector<Example> examples = Examples();
  ASSERT_GT(examples.size(), 50u);
  for (const Example& e : examples) {
    const OperationSpec* spec = FindOperation(e.op);
    ASSERT_NE(spec, nullptr) << "example under unknown heading " << e.op;
    json::value expected = json::parse(e.text);
    std::string again;
    if (e.text.find("\"op\"") != std::string::npos) {
      Result<Request> r = DecodeRequest(e.text.substr(0, e.text.size() - 1));
      ASSERT_TRUE(r.ok()) << e.text << r.status().ToString();
      again = EncodeRequest(*r);
    } else {
      std::string compact = json::serialize(expected);
      Result<ResponsePayload> r = DecodeResponse(spec->operation, compact);
      if (!r.ok()) {
        // An error example: code and message only.
        EXPECT_NE(r.status().code(), ResultCode::kInvalidData) << e.text << r.status().ToString();
        again = EncodeError(r.status());
      } else {
        again = EncodeResponse(r);
      }
    }
    EXPECT_EQ(json::parse(again), expected) << e.op << "\n" << e.text << "\n" << again;
  }
}

}  // namespace
}  // namespace activa::management

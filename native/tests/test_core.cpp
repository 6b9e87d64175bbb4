// Unit tests of the pieces below the reader: CRC-32, strict UTF-8, the CDR decoders and the JSON
// log decoder, against the rules of docs/schemas/parsed-file.md (kinds, not wordings).
#include <zlib.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cdr.hpp"
#include "crc32.hpp"
#include "errors.hpp"
#include "json_log.hpp"
#include "limits.hpp"
#include "utf8.hpp"
#include "test.hpp"

using namespace argus;

namespace {

bool utf8_ok(const std::string& s) {
  return valid_utf8(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// rcl_interfaces/msg/Log in classic CDR, as the Python tests build it.
std::vector<uint8_t> cdr_log(uint8_t level, const std::string& node, const std::string& msg,
                             bool big_endian = false, uint32_t node_len_override = 0) {
  std::vector<uint8_t> body;
  auto u32 = [&](uint32_t v) {
    while (body.size() % 4) body.push_back(0);
    for (int i = 0; i < 4; ++i) {
      const int shift = big_endian ? (3 - i) * 8 : i * 8;
      body.push_back(static_cast<uint8_t>(v >> shift));
    }
  };
  auto str = [&](const std::string& t, uint32_t len_override = 0) {
    u32(len_override ? len_override : static_cast<uint32_t>(t.size() + 1));
    body.insert(body.end(), t.begin(), t.end());
    body.push_back(0);
  };
  u32(1);
  u32(2);
  body.push_back(level);
  str(node, node_len_override);
  str(msg);
  str("file.cpp");
  str("fn");
  u32(42);
  std::vector<uint8_t> out = {0, static_cast<uint8_t>(big_endian ? 0 : 1), 0, 0};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::string decode_cdr_error(const std::vector<uint8_t>& data) {
  try {
    decode_cdr_log(data.data(), data.size());
  } catch (const DecodeError& e) {
    return e.message;
  }
  return "ok";
}

// "LEVEL|node|message", or the kind of the DecodeError.
std::string json(const std::string& text, bool foxglove = false) {
  try {
    JsonLog log =
        decode_json_log(reinterpret_cast<const uint8_t*>(text.data()), text.size(), foxglove);
    return std::string(log.level ? log.level : "None") + "|" + log.node + "|" + log.message;
  } catch (const DecodeError& e) {
    return kind_name(e.kind);
  }
}

}  // namespace

TEST(crc32_matches_zlib_for_every_length_and_alignment) {
  std::mt19937 rng(7);
  std::vector<uint8_t> data(70000);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t len = 0; len < 1100; ++len) {  // every path: zlib, 128-bit and 512-bit folds
      const uint32_t expected = static_cast<uint32_t>(::crc32(0, data.data() + offset, static_cast<uInt>(len)));
      CHECK_EQ(argus::crc32(data.data() + offset, len), expected);
    }
  }
  const uint32_t whole = static_cast<uint32_t>(::crc32(0, data.data(), static_cast<uInt>(data.size())));
  CHECK_EQ(argus::crc32(data.data(), data.size()), whole);
  // Incremental use continues a running CRC like zlib.crc32(data, crc).
  CHECK_EQ(argus::crc32(data.data() + 1000, data.size() - 1000, argus::crc32(data.data(), 1000)), whole);
}

TEST(utf8_is_strict_rfc_3629) {
  CHECK(utf8_ok("plain ascii"));
  CHECK(utf8_ok("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  CHECK(!utf8_ok("\xE2\x82" "A"));            // bad continuation
  CHECK(!utf8_ok("ab\xED\xA0\x80"));          // an encoded surrogate
  CHECK(!utf8_ok("ab\xF0\x90"));               // ends inside a sequence
  CHECK(!utf8_ok("\xFF"));                      // never a UTF-8 byte
  CHECK(!utf8_ok("\xC0\x80"));                  // overlong
  CHECK(!utf8_ok("\xE0\x80\x80"));              // overlong
  CHECK(!utf8_ok("\xF4\x90\x80\x80"));          // above U+10FFFF
}

TEST(cdr_log_decodes_in_both_byte_orders) {
  for (bool big : {false, true}) {
    auto data = cdr_log(40, "planner", "h\xC3\xA9llo", big);
    CdrLog log = decode_cdr_log(data.data(), data.size());
    CHECK_EQ(int{log.level}, 40);
    CHECK_EQ(log.node, std::string("planner"));
    CHECK_EQ(log.message, std::string("h\xC3\xA9llo"));
  }
}

TEST(cdr_errors_name_the_problem) {
  CHECK_EQ(decode_cdr_error({0, 1, 0}),
           std::string("shorter than the 4-byte CDR encapsulation header"));
  CHECK_EQ(decode_cdr_error({0, 2, 0, 0, 1, 2, 3, 4}),
           std::string("unsupported CDR encapsulation 0x0002"));
  CHECK_EQ(decode_cdr_error({0, 1, 0, 0, 1}), std::string("needs 4 bytes at offset 4, data ends"));
  // A string length near 2^32: refused by length, never allocated.
  auto huge = cdr_log(20, "n", "m", false, 0xFFFFFFF0u);
  CHECK_EQ(decode_cdr_error(huge), std::string("needs 4294967280 bytes at offset 20, data ends"));
  auto bad_utf8 = cdr_log(20, "\xFF", "m");
  CHECK_EQ(decode_cdr_error(bad_utf8), std::string("string is not valid UTF-8"));
}

TEST(cdr_diagnostics_refuse_sequences_longer_than_the_data) {
  std::vector<uint8_t> data = {0, 1, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
                               0xFF, 0xFF, 0xFF, 0x7F};
  std::vector<CdrStatus> out;
  try {
    decode_cdr_diagnostics(data.data(), data.size(), out);
    CHECK(false);
  } catch (const DecodeError& e) {
    CHECK_EQ(e.message, std::string("sequence of 2147483647 elements cannot fit in the data"));
  }
  CHECK(out.empty());
}

TEST(json_logs_follow_the_spec) {
  CHECK_EQ(json(R"({"level": 40, "name": "n", "msg": "m"})"), std::string("ERROR|n|m"));
  CHECK_EQ(json(R"({"level": "FATAL"})"), std::string("FATAL||"));
  CHECK_EQ(json(R"({"level": 4, "name": "n", "message": "m"})", true), std::string("ERROR|n|m"));
  CHECK_EQ(json(R"({"level": 45})"), std::string("None||"));
  CHECK_EQ(json(R"({"level": "warning"})"), std::string("None||"));
  CHECK_EQ(json(R"({"lev\u0065l": 20, "n\u0061me": "a\/b\n"})"), std::string("INFO|a/b\n|"));
  // The last duplicate wins; pairs combine, lone surrogates become U+FFFD.
  CHECK_EQ(json(R"({"level": 10, "level": 50, "msg": "\u00e9\ud83d\ude00\udc00\ud800x\ud800"})"),
           std::string("FATAL||\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBD\xEF\xBF\xBDx\xEF\xBF\xBD"));
  CHECK_EQ(json(R"({"level": 20, "msg": "\ud800\udc00"})"), std::string("INFO||\xF0\x90\x80\x80"));
  CHECK_EQ(json(R"({"level": true})"), std::string("bad_log"));
  CHECK_EQ(json(R"({"level": 40.0})"), std::string("bad_log"));
  CHECK_EQ(json(R"({"level": 4e1})"), std::string("bad_log"));
  CHECK_EQ(json(R"({"level": 40, "name": 7})"), std::string("bad_log"));
  CHECK_EQ(json(R"({"name": "n"})"), std::string("bad_log"));
  CHECK_EQ(json(R"([40, "n"])"), std::string("bad_log"));
  CHECK_EQ(json(R"("text")"), std::string("bad_log"));
  CHECK_EQ(json(R"({"level": -0, "x": [1.5e-3, -2E+8, null, true, false, {}, []]})"),
           std::string("None||"));
  const char* invalid[] = {
      "", " ", "[", "[1,]", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}", "\"abc", "\"a\\x\"",
      "\"\\u12\"", "\"\\u12G4\"", "\xEF\xBB\xBF{}", "{} x", "1.", "-", "[1 2]", "\"\x01\"",
      "nul", "{\"a\":[1,2", "1e+", "\n\n  x", "\xFF{}", "[NaN]", "[Infinity]", "[-Infinity]",
      "01", "{\"level\": 01}", "[.5]", "{'a': 1}", "{\"a\":1}\x0b",
  };
  for (const char* c : invalid) CHECK_EQ(json(c), std::string("bad_json"));
}

TEST(json_depth_limit_and_huge_integers) {
  auto nested = [](int depth) {  // the log object is one level
    return "{\"level\": 20, \"x\": " + std::string(depth - 1, '[') + "0" +
           std::string(depth - 1, ']') + "}";
  };
  CHECK_EQ(json(nested(kMaxJsonDepth)), std::string("INFO||"));
  CHECK_EQ(json(nested(kMaxJsonDepth + 1)), std::string("json_too_deep"));
  CHECK_EQ(json(std::string(200000, '[')), std::string("json_too_deep"));
  // Deep and invalid: the depth scan runs first.
  CHECK_EQ(json(std::string(kMaxJsonDepth + 1, '[') + "}"), std::string("json_too_deep"));
  // Brackets in strings do not count.
  CHECK_EQ(json("{\"level\": 20, \"x\": \"" + std::string(100, '[') + "\\\"\"}"),
           std::string("INFO||"));
  // More than kMaxJsonIntDigits digits: outside every table, not an error.
  CHECK_EQ(json("{\"level\": 1" + std::string(4400, '0') + "}"), std::string("None||"));
  CHECK_EQ(json("{\"level\": 0000000000000000020}"), std::string("bad_json"));
  CHECK_EQ(json("{\"level\": " + std::string(kMaxJsonIntDigits - 2, '0') + "}"),
           std::string("bad_json"));
  CHECK_EQ(json("{\"level\": 1" + std::string(kMaxJsonIntDigits - 1, '0') + "}"),
           std::string("None||"));
}

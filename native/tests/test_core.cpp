// Unit tests of the pieces below the reader: CRC-32, CPython-compatible UTF-8 errors and
// repr(), the CDR decoders and the JSON log decoder (expected texts come from CPython 3.11).
#include <zlib.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cdr.hpp"
#include "crc32.hpp"
#include "errors.hpp"
#include "json_log.hpp"
#include "pystr.hpp"
#include "test.hpp"

using namespace argus;

namespace {

std::string decode_error(const std::string& s) {
  auto err = check_utf8(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  if (!err) return "ok";
  return utf8_error_str(reinterpret_cast<const uint8_t*>(s.data()), s.size(), *err);
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

std::string json(const std::string& text, bool foxglove = false, int depth = 990) {
  JsonLimits limits;
  limits.max_depth = depth;
  try {
    JsonLog log = decode_json_log(reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                  foxglove, limits);
    return std::string(log.level ? log.level : "None") + "|" + log.node + "|" + log.message;
  } catch (const DecodeError& e) {
    return e.message;
  }
}

}  // namespace

TEST(crc32_matches_zlib_for_every_length_and_alignment) {
  std::mt19937 rng(7);
  std::vector<uint8_t> data(70000);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t len = 0; len < 600; ++len) {
      const uint32_t expected = static_cast<uint32_t>(::crc32(0, data.data() + offset, static_cast<uInt>(len)));
      CHECK_EQ(argus::crc32(data.data() + offset, len), expected);
    }
  }
  const uint32_t whole = static_cast<uint32_t>(::crc32(0, data.data(), static_cast<uInt>(data.size())));
  CHECK_EQ(argus::crc32(data.data(), data.size()), whole);
  // Incremental use continues a running CRC like zlib.crc32(data, crc).
  CHECK_EQ(argus::crc32(data.data() + 1000, data.size() - 1000, argus::crc32(data.data(), 1000)), whole);
}

TEST(utf8_errors_have_cpython_positions_and_reasons) {
  CHECK_EQ(decode_error("plain ascii"), std::string("ok"));
  CHECK_EQ(decode_error("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"), std::string("ok"));
  CHECK_EQ(decode_error("\xE2\x82" "A"),
           std::string("'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"));
  CHECK_EQ(decode_error("ab\xED\xA0\x80"),
           std::string("'utf-8' codec can't decode byte 0xed in position 2: invalid continuation byte"));
  CHECK_EQ(decode_error("ab\xF0\x90"),
           std::string("'utf-8' codec can't decode bytes in position 2-3: unexpected end of data"));
  CHECK_EQ(decode_error("\xFF"),
           std::string("'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"));
  CHECK_EQ(decode_error("x\xC3"),
           std::string("'utf-8' codec can't decode byte 0xc3 in position 1: unexpected end of data"));
  CHECK_EQ(decode_error("\xC0\x80"),
           std::string("'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte"));
  CHECK_EQ(decode_error("\xF4\x90\x80\x80"),
           std::string("'utf-8' codec can't decode byte 0xf4 in position 0: invalid continuation byte"));
  CHECK_EQ(decode_error("\xF0\x9F\x98" "A"),
           std::string("'utf-8' codec can't decode bytes in position 0-2: invalid continuation byte"));
}

TEST(repr_of_bytes_and_str_follows_cpython) {
  const std::string raw = std::string("it's \"q\" ") + '\0' + "\x7f\xff\\";
  CHECK_EQ(bytes_repr(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()),
           std::string("b'it\\'s \"q\" \\x00\\x7f\\xff\\\\'"));
  const std::string single = "it's";
  CHECK_EQ(bytes_repr(reinterpret_cast<const uint8_t*>(single.data()), single.size()),
           std::string("b\"it's\""));
  CHECK_EQ(str_repr("zstd"), std::string("'zstd'"));
  CHECK_EQ(str_repr(std::string("zs'td") + '\0' + "\xC2\x85\xC3\xA9\xE2\x80\x8B"),
           std::string("\"zs'td\\x00\\x85\xC3\xA9\\u200b\""));
  const std::string bad = "\xE2\x82" "A";
  auto err = check_utf8(reinterpret_cast<const uint8_t*>(bad.data()), bad.size());
  CHECK(err.has_value());
  CHECK_EQ(utf8_error_repr(reinterpret_cast<const uint8_t*>(bad.data()), bad.size(), *err),
           std::string("UnicodeDecodeError('utf-8', b'\\xe2\\x82A', 0, 2, 'invalid continuation byte')"));
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

TEST(cdr_errors_are_worded_like_the_reference) {
  CHECK_EQ(decode_cdr_error({0, 1, 0}),
           std::string("shorter than the 4-byte CDR encapsulation header"));
  CHECK_EQ(decode_cdr_error({0, 2, 0, 0, 1, 2, 3, 4}),
           std::string("unsupported CDR encapsulation 0x0002"));
  CHECK_EQ(decode_cdr_error({0, 1, 0, 0, 1}), std::string("needs 4 bytes at offset 4, data ends"));
  // A string length near 2^32: refused by length, never allocated.
  auto huge = cdr_log(20, "n", "m", false, 0xFFFFFFF0u);
  CHECK_EQ(decode_cdr_error(huge), std::string("needs 4294967280 bytes at offset 20, data ends"));
  auto bad_utf8 = cdr_log(20, "\xFF", "m");
  CHECK_EQ(decode_cdr_error(bad_utf8), std::string("string is not valid UTF-8: invalid start byte"));
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

TEST(json_logs_follow_python_json_loads) {
  CHECK_EQ(json(R"({"level": 40, "name": "n", "msg": "m"})"), std::string("ERROR|n|m"));
  CHECK_EQ(json(R"({"level": "FATAL"})"), std::string("FATAL||"));
  CHECK_EQ(json(R"({"level": 4, "name": "n", "message": "m"})", true), std::string("ERROR|n|m"));
  CHECK_EQ(json(R"({"level": 45})"), std::string("None||"));
  CHECK_EQ(json(R"({"level": "warning"})"), std::string("None||"));
  CHECK_EQ(json(R"({"level": 10, "level": 50, "msg": "\u00e9\ud83d\ude00\ud800"})"),
           std::string("FATAL||\xC3\xA9\xF0\x9F\x98\x80\xED\xA0\x80"));
  CHECK_EQ(json(R"({"level": true})"), std::string("JSON log has no integer or string `level`"));
  CHECK_EQ(json(R"({"level": 40.0})"), std::string("JSON log has no integer or string `level`"));
  CHECK_EQ(json(R"({"level": 40, "name": 7})"),
           std::string("JSON log `name` and message must be strings"));
  CHECK_EQ(json(R"([40, "n"])"), std::string("JSON log is not an object"));
  CHECK_EQ(json(R"([NaN, Infinity, -Infinity])"), std::string("JSON log is not an object"));
  const char* cases[][2] = {
      {"", "Expecting value: line 1 column 1 (char 0)"},
      {" ", "Expecting value: line 1 column 2 (char 1)"},
      {"[", "Expecting value: line 1 column 2 (char 1)"},
      {"[1,]", "Expecting value: line 1 column 4 (char 3)"},
      {"{\"a\":}", "Expecting value: line 1 column 6 (char 5)"},
      {"{\"a\":1,}", "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"},
      {"{\"a\" 1}", "Expecting ':' delimiter: line 1 column 6 (char 5)"},
      {"\"abc", "Unterminated string starting at: line 1 column 1 (char 0)"},
      {"\"a\\x\"", "Invalid \\escape: line 1 column 3 (char 2)"},
      {"\"\\u12\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)"},
      {"\"\\u12G4\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)"},
      {"\xEF\xBB\xBF{}", "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"},
      {"{} x", "Extra data: line 1 column 4 (char 3)"},
      {"1.", "Extra data: line 1 column 2 (char 1)"},
      {"-", "Expecting value: line 1 column 1 (char 0)"},
      {"[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)"},
      {"\"\x01\"", "Invalid control character at: line 1 column 2 (char 1)"},
      {"nul", "Expecting value: line 1 column 1 (char 0)"},
      {"{\"a\":[1,2", "Expecting ',' delimiter: line 1 column 10 (char 9)"},
      {"1e+", "Extra data: line 1 column 2 (char 1)"},
      {"\n\n  x", "Expecting value: line 3 column 3 (char 4)"},
      {"\xFF{}", "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"},
  };
  for (const auto& c : cases) CHECK_EQ(json(c[0]), "not valid JSON: " + std::string(c[1]));
}

TEST(json_nesting_and_huge_integers_fail_like_python) {
  std::string deep = "{\"level\": 20, \"x\": " + std::string(50, '[') + std::string(50, ']') + "}";
  CHECK_EQ(json(deep, false, 51), std::string("INFO||"));
  CHECK_EQ(json(deep, false, 50),
           std::string("not valid JSON: maximum recursion depth exceeded while decoding a JSON "
                       "array from a unicode string"));
  std::string bomb(200000, '[');
  CHECK_EQ(json(bomb), std::string("not valid JSON: maximum recursion depth exceeded while "
                                   "decoding a JSON array from a unicode string"));
  std::string big = "{\"level\": 1" + std::string(4400, '1') + "}";
  CHECK_EQ(json(big), std::string("not valid JSON: Exceeds the limit (4300 digits) for integer "
                                  "string conversion: value has 4401 digits; use "
                                  "sys.set_int_max_str_digits() to increase the limit"));
  std::string fits = "{\"level\": 1" + std::string(4000, '1') + "}";
  CHECK_EQ(json(fits), std::string("None||"));
}

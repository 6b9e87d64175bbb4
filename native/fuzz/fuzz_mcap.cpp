// libFuzzer target over the MCAP reader and the message decoders. Besides the sanitizers'
// checks it asserts one property: feeding the bytes whole or in pieces, with chunks decompressed
// on the reader's thread or on three, gives the same summary.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "../tests/dump.hpp"
#include "cdr.hpp"
#include "errors.hpp"
#include "json_log.hpp"
#include "reader.hpp"

using namespace argus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Options options;
  options.max_overrun_bytes = 1u << 20;

  McapReader whole(options);
  whole.feed(data, size);
  whole.finish();

  const size_t piece = 1 + (size ? (data[size / 2] * 131u + data[size - 1]) % 1021 : 0);
  McapReader pieces(options);
  for (size_t pos = 0; pos < size && !pieces.done(); pos += piece) {
    pieces.feed(data + pos, std::min(piece, size - pos));
  }
  pieces.finish();
  if (testing::dump(whole.result()) != testing::dump(pieces.result())) __builtin_trap();

  // Chunks decompressed on other threads: same summary, errors included.
  Options threaded = options;
  threaded.threads = 3;
  threaded.threads_from_bytes = 0;  // fuzz inputs are small: thread them anyway
  McapReader parallel(threaded);
  for (size_t pos = 0; pos < size && !parallel.done(); pos += piece) {
    parallel.feed(data + pos, std::min(piece, size - pos));
  }
  parallel.finish();
  if (testing::dump(whole.result()) != testing::dump(parallel.result())) __builtin_trap();

  // The decoders see hostile payloads directly too (in files they sit behind a channel).
  std::vector<CdrStatus> statuses;
  try {
    decode_cdr_log(data, size);
  } catch (const DecodeError&) {
  }
  try {
    decode_cdr_diagnostics(data, size, statuses);
  } catch (const DecodeError&) {
  }
  try {
    decode_json_log(data, size, size % 2 == 1);
  } catch (const DecodeError&) {
  }
  return 0;
}

// Counts the messages of an MCAP file with foxglove's C++ reader, for bench/foxglove.py.
// Built by that script against /work/shared/peers/foxglove-mcap-cpp/include (never copied here).
// Times only open + readMessages() in file order; prints {"messages":N,"bytes":B,"seconds":S}.
// With a second argument REPEAT, reads the file that many times and S is the mean per read
// (bench/small_files.py: a per-file fixed cost in µs is below a process's timer noise).
#define MCAP_IMPLEMENTATION
#include <mcap/reader.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdint>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: %s FILE.mcap [REPEAT]\n", argv[0]);
    return 2;
  }
  const long repeat = argc == 3 ? std::max(1L, std::atol(argv[2])) : 1;
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t problems = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long round = 0; round < repeat; ++round) {
    messages = bytes = 0;
    mcap::McapReader reader;
    const mcap::Status status = reader.open(std::string(argv[1]));
    if (!status.ok()) {
      std::fprintf(stderr, "open failed: %s\n", status.message.c_str());
      return 1;
    }
    mcap::ReadMessageOptions options;
    options.readOrder = mcap::ReadMessageOptions::ReadOrder::FileOrder;
    const auto onProblem = [&problems](const mcap::Status& problem) {
      ++problems;
      std::fprintf(stderr, "problem: %s\n", problem.message.c_str());
    };
    for (const auto& view : reader.readMessages(onProblem, options)) {
      ++messages;
      bytes += view.message.dataSize;
    }
    reader.close();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
      static_cast<double>(repeat);
  std::printf("{\"messages\":%llu,\"bytes\":%llu,\"problems\":%llu,\"seconds\":%.9f}\n",
              static_cast<unsigned long long>(messages), static_cast<unsigned long long>(bytes),
              static_cast<unsigned long long>(problems), seconds);
  return problems == 0 ? 0 : 1;
}

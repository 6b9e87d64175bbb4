// Counts the messages of an MCAP file with foxglove's C++ reader, for bench/foxglove.py.
// Built by that script against /work/shared/peers/foxglove-mcap-cpp/include (never copied here).
// Times only open + readMessages() in file order; prints {"messages":N,"bytes":B,"seconds":S}.
#define MCAP_IMPLEMENTATION
#include <mcap/reader.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.mcap\n", argv[0]);
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  mcap::McapReader reader;
  const mcap::Status status = reader.open(std::string(argv[1]));
  if (!status.ok()) {
    std::fprintf(stderr, "open failed: %s\n", status.message.c_str());
    return 1;
  }
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t problems = 0;
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
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"messages\":%llu,\"bytes\":%llu,\"problems\":%llu,\"seconds\":%.6f}\n",
              static_cast<unsigned long long>(messages), static_cast<unsigned long long>(bytes),
              static_cast<unsigned long long>(problems), seconds);
  return problems == 0 ? 0 : 1;
}

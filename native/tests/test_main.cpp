#include <algorithm>
#include <cstdlib>
#include <exception>
#include <string>

#include "test.hpp"

namespace argus::testing {

static int failures = 0;

std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}

std::vector<std::string>& data_dirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

void fail(const char* file, int line, const std::string& what) {
  ++failures;
  std::fprintf(stderr, "  FAIL %s:%d: %s\n", file, line, what.c_str());
}

}  // namespace argus::testing

int main(int argc, char** argv) {
  using namespace argus::testing;
  // Arguments: directories of .mcap files, and --filter=A,B to run only tests whose name
  // contains A or B.
  std::vector<std::string> filters;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--filter=", 0) == 0) {
      std::string rest = arg.substr(9);
      for (size_t comma; (comma = rest.find(',')) != std::string::npos; rest.erase(0, comma + 1)) {
        filters.push_back(rest.substr(0, comma));
      }
      filters.push_back(rest);
    } else {
      data_dirs().push_back(arg);
    }
  }
  int failed_cases = 0;
  size_t ran = 0;
  for (const Case& c : registry()) {
    const std::string name = c.name;
    const bool wanted = filters.empty() || std::any_of(filters.begin(), filters.end(), [&](auto& f) {
      return name.find(f) != std::string::npos;
    });
    if (!wanted) continue;
    ++ran;
    const int before = failures;
    try {
      c.fn();
    } catch (const std::exception& e) {
      fail(__FILE__, __LINE__, std::string("unexpected exception: ") + e.what());
    }
    const bool ok = failures == before;
    failed_cases += !ok;
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", c.name);
  }
  std::printf("%zu tests, %d failed\n", ran, failed_cases);
  return failed_cases ? EXIT_FAILURE : EXIT_SUCCESS;
}

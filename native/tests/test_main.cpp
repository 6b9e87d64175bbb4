#include <cstdlib>
#include <exception>

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
  for (int i = 1; i < argc; ++i) data_dirs().push_back(argv[i]);
  int failed_cases = 0;
  for (const Case& c : registry()) {
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
  std::printf("%zu tests, %d failed\n", registry().size(), failed_cases);
  return failed_cases ? EXIT_FAILURE : EXIT_SUCCESS;
}

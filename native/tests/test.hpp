// A tiny test harness (no third-party code): TEST registers, CHECK records failures.
#pragma once

#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "errors.hpp"

namespace argus {
// Failed checks print error kinds by their summary names.
inline std::ostream& operator<<(std::ostream& out, ErrorKind kind) { return out << kind_name(kind); }
}  // namespace argus

namespace argus::testing {

struct Case {
  const char* name;
  std::function<void()> fn;
};

std::vector<Case>& registry();
std::vector<std::string>& data_dirs();  // directories of .mcap files given on the command line
void fail(const char* file, int line, const std::string& what);

struct Registrar {
  Registrar(const char* name, std::function<void()> fn) { registry().push_back({name, fn}); }
};

template <class A, class B>
std::string describe(const A& a, const B& b) {
  std::ostringstream out;
  out << "[" << a << "] != [" << b << "]";
  return out.str();
}

}  // namespace argus::testing

#define TEST(name)                                                        \
  static void name();                                                     \
  static ::argus::testing::Registrar registrar_##name(#name, name);       \
  static void name()

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) ::argus::testing::fail(__FILE__, __LINE__, "CHECK(" #cond ")"); \
  } while (0)

#define CHECK_EQ(a, b)                                                               \
  do {                                                                               \
    const auto& check_a_ = (a);                                                      \
    const auto& check_b_ = (b);                                                      \
    if (!(check_a_ == check_b_)) {                                                   \
      ::argus::testing::fail(__FILE__, __LINE__,                                     \
                             #a " == " #b " " + ::argus::testing::describe(check_a_, check_b_)); \
    }                                                                                \
  } while (0)

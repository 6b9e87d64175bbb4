// The numbers of the parser contract. Their one home is src/argus/domain/parse_limits.py;
// module.cpp exports these as argus._native.LIMITS and tests/native/test_contract.py fails
// when the two disagree. docs/schemas/parsed-file.md explains each one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace argus {

inline constexpr uint64_t kMaxRecordBytes = uint64_t{1} << 30;
inline constexpr int kMaxJsonDepth = 64;
inline constexpr int kMaxJsonIntDigits = 18;
inline constexpr size_t kMaxEventsPerKind = 10000;
inline constexpr size_t kMaxErrors = 100;

}  // namespace argus

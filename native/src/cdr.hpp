// Decoders of ROS 2 classic CDR for rcl_interfaces/msg/Log and
// diagnostic_msgs/msg/DiagnosticArray, rule for rule like argus/.../parsing/_decoders.py.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace argus {

// level is the raw byte; the summary maps it (10..50 for logs, 1..3 for diagnostics).
struct CdrLog {
  uint8_t level;
  std::string node;
  std::string message;
};

struct CdrStatus {
  uint8_t level;
  std::string name;
  std::string message;
  std::string hardware_id;
};

// Both throw DecodeError (kind BadCdr); the wording is free.
CdrLog decode_cdr_log(const uint8_t* data, size_t len);
void decode_cdr_diagnostics(const uint8_t* data, size_t len, std::vector<CdrStatus>& out);

}  // namespace argus

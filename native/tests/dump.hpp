// A canonical text form of a ParsedFile, to compare two readings of the same bytes.
#pragma once

#include <sstream>
#include <string>

#include "summary.hpp"

namespace argus::testing {

inline std::string dump(const ParsedFile& f) {
  std::ostringstream o;
  o << f.complete << ' ' << f.has_times << ' ' << f.start_ns << ' ' << f.end_ns << ' '
    << f.message_count << ' ' << f.dropped_events << '\n';
  for (const auto& t : f.topics) {
    o << "topic " << t.name << '|' << t.schema << '|' << t.encoding << ' ' << t.count << ' '
      << t.bytes << ' ' << t.first_ns << ' ' << t.last_ns << ' ' << t.has_gap << ' '
      << t.gap_start_ns << ' ' << t.gap_end_ns << '\n';
  }
  for (auto n : f.log_levels) o << n << ' ';
  for (const auto& e : f.log_events) o << "\nlog " << e.t_ns << e.level << e.node << e.message << e.topic;
  for (const auto& e : f.diagnostic_events) {
    o << "\ndiag " << e.t_ns << e.name << e.level << e.message << e.hardware_id;
  }
  for (const auto& e : f.errors) {
    o << "\nerror " << kind_name(e.kind) << '|' << e.message << '|' << (e.offset ? std::to_string(*e.offset) : "None")
      << '|' << e.record.value_or("None");
  }
  return o.str();
}

}  // namespace argus::testing

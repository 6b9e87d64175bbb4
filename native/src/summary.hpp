// The ParsedFile summary and the builder fed with schemas, channels and messages in file
// order: a rule-for-rule port of argus/infrastructure/parsing/_summary.py.
#pragma once

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cdr.hpp"
#include "errors.hpp"
#include "json_log.hpp"
#include "limits.hpp"

namespace argus {

extern const char* const kLogLevels[5];

struct TopicStats {
  std::string name;
  std::string schema;
  std::string encoding;
  uint64_t count = 0;
  uint64_t bytes = 0;
  bool has_times = false;
  uint64_t first_ns = 0;
  uint64_t last_ns = 0;
  bool has_prev = false;
  uint64_t prev_ns = 0;
  bool has_gap = false;
  uint64_t gap_start_ns = 0;
  uint64_t gap_end_ns = 0;
  double mean_rate_hz() const;
};

struct LogEvent {
  uint64_t t_ns;
  const char* level;
  std::string node;
  std::string message;
  std::string topic;
};

struct DiagnosticEvent {
  uint64_t t_ns;
  std::string name;
  const char* level;
  std::string message;
  std::string hardware_id;
};

struct ParsedFile {
  bool complete = true;
  bool has_times = false;
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
  uint64_t message_count = 0;
  std::vector<TopicStats> topics;  // in first-seen order; sort by name for output
  std::array<uint64_t, 5> log_levels{};
  std::vector<LogEvent> log_events;
  std::vector<DiagnosticEvent> diagnostic_events;
  uint64_t dropped_events = 0;
  std::vector<ParseError> errors;
};

class SummaryBuilder {
 public:
  SummaryBuilder();

  void schema(uint16_t id, std::string name);
  // Throws Fatal for a schema id never seen (offset is the record's start).
  void channel(uint16_t id, uint16_t schema_id, const std::string& topic,
               const std::string& encoding, uint64_t offset);
  // Throws Fatal for a channel id never seen. `data` is the message payload.
  void message(uint16_t channel_id, uint64_t log_time, const uint8_t* data, size_t len,
               uint64_t offset);
  // True when messages on the channel are decoded (their payload must be available).
  bool decodes(uint16_t channel_id) const;
  void error(ErrorKind kind, std::string message, std::optional<uint64_t> offset,
             std::optional<std::string> record);
  void fail(ParseError error);
  ParsedFile& result() { return file_; }

 private:
  struct Channel {
    uint32_t topic;
    uint8_t decoder;
    bool known = false;
  };

  void decode(const Channel& channel, uint64_t log_time, const uint8_t* data, size_t len);
  template <class Event>
  void add_event(std::vector<Event>& events, Event&& event);

  ParsedFile file_;
  std::unordered_map<uint16_t, std::string> schemas_;
  std::unordered_map<std::string, uint32_t> topic_index_;
  std::vector<Channel> channels_;  // indexed by channel id, grown to the largest id seen
  std::bitset<65536> reported_;
  std::vector<CdrStatus> statuses_;
};

}  // namespace argus

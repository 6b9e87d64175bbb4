#include "summary.hpp"

#include <algorithm>
#include <utility>

#include "bytes.hpp"
#include "limits.hpp"

namespace argus {

const char* const kLogLevels[5] = {"DEBUG", "INFO", "WARN", "ERROR", "FATAL"};

namespace {

enum Decoder : uint8_t { kNone = 0, kCdrLog = 1, kCdrDiagnostics = 2, kJsonRos = 3, kJsonFox = 4 };

bool known_encoding(const std::string& e) {
  static const char* const known[] = {"ros1", "cdr",  "protobuf", "flatbuffer",
                                      "capnproto", "cbor", "msgpack", "json"};
  for (const char* k : known) {
    if (e == k) return true;
  }
  return false;
}

uint8_t decoder_for(const std::string& schema, const std::string& encoding) {
  if (schema == "rcl_interfaces/msg/Log" && encoding == "cdr") return kCdrLog;
  if (schema == "diagnostic_msgs/msg/DiagnosticArray" && encoding == "cdr") return kCdrDiagnostics;
  if (schema == "rcl_interfaces/msg/Log" && encoding == "json") return kJsonRos;
  if (schema == "foxglove.Log" && encoding == "json") return kJsonFox;
  return kNone;
}

// Index into kLogLevels of a ROS level byte (10..50), or -1.
int ros_level(uint8_t level) {
  return (level % 10 == 0 && level >= 10 && level <= 50) ? level / 10 - 1 : -1;
}

const char* diagnostic_level(uint8_t level) {
  switch (level) {
    case 1: return "WARN";
    case 2: return "ERROR";
    case 3: return "STALE";
    default: return nullptr;
  }
}

// Index into kLogLevels of a level name, or -1.
int level_index(const char* level) {
  if (level == nullptr) return -1;
  for (int i = 0; i < 5; ++i) {
    if (std::string(kLogLevels[i]) == level) return i;
  }
  return -1;
}

}  // namespace

double TopicStats::mean_rate_hz() const {
  if (count < 2 || !has_times) return 0.0;
  if (last_ns <= first_ns) return 0.0;
  const uint64_t span = last_ns - first_ns;
  // Same operations and order as the reference: float(count - 1) * 1e9 / float(span).
  return static_cast<double>(count - 1) * 1e9 / static_cast<double>(span);
}

// `channels_` grows to the largest channel id seen: sizing it for every possible id (65536
// slots, 512 KiB zeroed) was most of a small file's fixed cost (decision 0029).
SummaryBuilder::SummaryBuilder() = default;

void SummaryBuilder::schema(uint16_t id, std::string name) { schemas_[id] = std::move(name); }

void SummaryBuilder::channel(uint16_t id, uint16_t schema_id, const std::string& topic,
                             const std::string& encoding, uint64_t offset) {
  auto found = schemas_.find(schema_id);
  if (schema_id != 0 && found == schemas_.end()) {
    throw Fatal(ErrorKind::UnknownSchema,
                "channel " + dec(uint64_t{id}) + " uses unknown schema " + dec(uint64_t{schema_id}),
                offset, std::string("Channel"));
  }
  const std::string schema = found == schemas_.end() ? std::string() : found->second;
  auto [it, inserted] = topic_index_.try_emplace(topic, static_cast<uint32_t>(file_.topics.size()));
  if (inserted) {
    TopicStats stats;
    stats.name = topic;
    stats.schema = schema;
    stats.encoding = encoding;
    file_.topics.push_back(std::move(stats));
  }
  if (id >= channels_.size()) channels_.resize(size_t{id} + 1);
  channels_[id] = Channel{it->second, decoder_for(schema, encoding), true};
  if (!known_encoding(encoding) && !reported_[id]) {
    reported_[id] = true;
    error(ErrorKind::UnsupportedEncoding,
          "channel " + dec(uint64_t{id}) + " (" + topic + ") has message encoding \"" + encoding +
              "\"; messages counted, not decoded",
          offset, std::string("Channel"));
  }
}

bool SummaryBuilder::decodes(uint16_t channel_id) const {
  return channel_id < channels_.size() && channels_[channel_id].known &&
         channels_[channel_id].decoder != kNone;
}

void SummaryBuilder::message(uint16_t channel_id, uint64_t log_time, const uint8_t* data,
                             size_t len, uint64_t offset) {
  if (channel_id >= channels_.size() || !channels_[channel_id].known) {
    throw Fatal(ErrorKind::UnknownChannel, "message on unknown channel " + dec(uint64_t{channel_id}), offset,
                std::string("Message"));
  }
  const Channel& channel = channels_[channel_id];
  TopicStats& topic = file_.topics[channel.topic];
  topic.count += 1;
  topic.bytes += len;
  if (!topic.has_times) {
    topic.has_times = true;
    topic.first_ns = topic.last_ns = log_time;
  } else {
    topic.first_ns = std::min(topic.first_ns, log_time);
    topic.last_ns = std::max(topic.last_ns, log_time);
  }
  // Strictly greater: on a tie the earlier gap stays; steps backwards are never gaps.
  if (topic.has_prev && log_time > topic.prev_ns) {
    const uint64_t step = log_time - topic.prev_ns;
    const uint64_t best = topic.has_gap ? topic.gap_end_ns - topic.gap_start_ns : 0;
    if (step > best) {
      topic.has_gap = true;
      topic.gap_start_ns = topic.prev_ns;
      topic.gap_end_ns = log_time;
    }
  }
  topic.has_prev = true;
  topic.prev_ns = log_time;
  file_.message_count += 1;
  if (!file_.has_times) {
    file_.has_times = true;
    file_.start_ns = file_.end_ns = log_time;
  } else {
    file_.start_ns = std::min(file_.start_ns, log_time);
    file_.end_ns = std::max(file_.end_ns, log_time);
  }
  if (channel.decoder != kNone) {
    try {
      decode(channel, log_time, data, len);
    } catch (const DecodeError& exc) {
      error(exc.kind,
            topic.name + " message at log_time " + dec(log_time) + ": " + exc.message, offset,
            std::string("Message"));
    }
  }
}

void SummaryBuilder::decode(const Channel& channel, uint64_t log_time, const uint8_t* data,
                            size_t len) {
  const std::string& topic = file_.topics[channel.topic].name;
  if (channel.decoder == kCdrDiagnostics) {
    decode_cdr_diagnostics(data, len, statuses_);
    for (CdrStatus& status : statuses_) {
      const char* level = diagnostic_level(status.level);
      if (level != nullptr) {
        add_event(file_.diagnostic_events,
                  DiagnosticEvent{log_time, std::move(status.name), level,
                                  std::move(status.message), std::move(status.hardware_id)});
      }
    }
    return;
  }
  int index = -1;
  std::string node, message;
  if (channel.decoder == kCdrLog) {
    CdrLog log = decode_cdr_log(data, len);
    index = ros_level(log.level);
    node = std::move(log.node);
    message = std::move(log.message);
  } else {
    JsonLog log = decode_json_log(data, len, channel.decoder == kJsonFox);
    index = level_index(log.level);
    node = std::move(log.node);
    message = std::move(log.message);
  }
  if (index < 0 || index > 4) return;
  file_.log_levels[static_cast<size_t>(index)] += 1;
  if (index >= 3) {
    add_event(file_.log_events,
              LogEvent{log_time, kLogLevels[index], std::move(node), std::move(message), topic});
  }
}

template <class Event>
void SummaryBuilder::add_event(std::vector<Event>& events, Event&& event) {
  if (events.size() < kMaxEventsPerKind) {
    events.push_back(std::forward<Event>(event));
  } else {
    file_.dropped_events += 1;
  }
}

void SummaryBuilder::error(ErrorKind kind, std::string message, std::optional<uint64_t> offset,
                           std::optional<std::string> record) {
  if (file_.errors.size() < kMaxErrors - 1) {
    file_.errors.push_back(ParseError{kind, std::move(message), offset, std::move(record)});
  }
}

void SummaryBuilder::fail(ParseError error) {
  file_.complete = false;
  file_.errors.push_back(std::move(error));
}

}  // namespace argus

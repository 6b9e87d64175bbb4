// argus._native: the C++ MCAP reader as a private Python extension. Parsing runs with the GIL
// released; the summary comes back as the dict ParsedFile.to_dict() gives.
#include <nanobind/nanobind.h>

#include <algorithm>
#include <mutex>
#include <new>
#include <string>
#include <system_error>
#include <vector>

#include "crc32.hpp"
#include "errors.hpp"
#include "limits.hpp"
#include "reader.hpp"

namespace nb = nanobind;
using argus::McapReader;
using argus::Options;
using argus::ParsedFile;

namespace {

nb::object text(const std::string& s) {
  // Every string of the summary is valid UTF-8 (the spec's text rules); strict decoding.
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr);
  if (o == nullptr) throw nb::python_error();
  return nb::steal(o);
}

nb::object text(const char* s) { return nb::str(s); }

nb::object maybe_int(bool present, uint64_t v) {
  return present ? nb::object(nb::int_(v)) : nb::object(nb::none());
}

nb::dict to_dict(ParsedFile& f) {
  nb::dict d;
  d["schema_version"] = 2;
  d["engine"] = "native";
  d["complete"] = f.complete;
  d["start_ns"] = maybe_int(f.has_times, f.start_ns);
  d["end_ns"] = maybe_int(f.has_times, f.end_ns);
  d["message_count"] = nb::int_(f.message_count);
  std::vector<const argus::TopicStats*> topics;
  for (const auto& t : f.topics) topics.push_back(&t);
  // Byte order of UTF-8 is code point order, which is how Python sorts str.
  std::sort(topics.begin(), topics.end(), [](auto* a, auto* b) { return a->name < b->name; });
  nb::dict topic_dict;
  for (const auto* t : topics) {
    nb::dict s;
    s["count"] = nb::int_(t->count);
    s["bytes"] = nb::int_(t->bytes);
    s["schema"] = text(t->schema);
    s["message_encoding"] = text(t->encoding);
    s["first_ns"] = maybe_int(t->has_times, t->first_ns);
    s["last_ns"] = maybe_int(t->has_times, t->last_ns);
    s["mean_rate_hz"] = nb::float_(t->mean_rate_hz());
    if (t->has_gap) {
      nb::dict gap;
      gap["start_ns"] = nb::int_(t->gap_start_ns);
      gap["end_ns"] = nb::int_(t->gap_end_ns);
      s["max_gap"] = gap;
    } else {
      s["max_gap"] = nb::none();
    }
    topic_dict[text(t->name)] = s;
  }
  d["topics"] = topic_dict;
  nb::dict levels;
  for (int i = 0; i < 5; ++i) levels[argus::kLogLevels[i]] = nb::int_(f.log_levels[i]);
  d["log_levels"] = levels;
  nb::list logs;
  for (const auto& e : f.log_events) {
    nb::dict x;
    x["t_ns"] = nb::int_(e.t_ns);
    x["level"] = text(e.level);
    x["node"] = text(e.node);
    x["message"] = text(e.message);
    x["topic"] = text(e.topic);
    logs.append(x);
  }
  d["log_events"] = logs;
  nb::list diags;
  for (const auto& e : f.diagnostic_events) {
    nb::dict x;
    x["t_ns"] = nb::int_(e.t_ns);
    x["name"] = text(e.name);
    x["level"] = text(e.level);
    x["message"] = text(e.message);
    x["hardware_id"] = text(e.hardware_id);
    diags.append(x);
  }
  d["diagnostic_events"] = diags;
  d["dropped_events"] = nb::int_(f.dropped_events);
  nb::list errors;
  for (const auto& e : f.errors) {
    nb::dict x;
    x["kind"] = text(argus::kind_name(e.kind));
    x["message"] = text(e.message);
    x["offset"] = e.offset ? nb::object(nb::int_(*e.offset)) : nb::object(nb::none());
    x["record"] = e.record ? text(*e.record) : nb::object(nb::none());
    errors.append(x);
  }
  d["errors"] = errors;
  return d;
}

Options make_options(uint64_t max_overrun_bytes, size_t read_size, unsigned threads,
                     uint64_t threads_from_bytes) {
  Options o;
  o.threads = std::clamp(threads, 1u, 64u);
  o.threads_from_bytes = threads_from_bytes;
  o.max_overrun_bytes = max_overrun_bytes;
  o.read_size = std::max<size_t>(read_size, 4096);
  return o;
}

const uint64_t kThreadsFromBytes = Options().threads_from_bytes;

// One reader fed from Python; a mutex refuses concurrent use from two threads.
class Parser {
 public:
  explicit Parser(const Options& o) : reader_(o) {}

  void feed(nb::handle data) {
    Py_buffer view;
    if (PyObject_GetBuffer(data.ptr(), &view, PyBUF_SIMPLE) != 0) throw nb::python_error();
    std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
    if (!lock.owns_lock()) {
      PyBuffer_Release(&view);
      throw std::runtime_error("Parser is in use by another thread");
    }
    try {
      nb::gil_scoped_release release;
      reader_.feed(static_cast<const uint8_t*>(view.buf), static_cast<size_t>(view.len));
    } catch (...) {
      PyBuffer_Release(&view);
      throw;
    }
    PyBuffer_Release(&view);
  }

  nb::dict finish() {
    std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
    if (!lock.owns_lock()) throw std::runtime_error("Parser is in use by another thread");
    {
      nb::gil_scoped_release release;
      reader_.finish();
    }
    return to_dict(reader_.result());
  }

  bool done() {
    // While another thread is feeding, the reader is by definition not done yet.
    std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
    return lock.owns_lock() && reader_.done();
  }
  uint64_t bytes_received() const { return reader_.bytes_received(); }
  size_t buffered_capacity() const { return reader_.input_capacity() + reader_.chunk_capacity(); }

 private:
  std::mutex mu_;
  McapReader reader_;
};

}  // namespace

NB_MODULE(_native, m) {
  m.doc() = "C++ MCAP reader for Argus (private; use argus.infrastructure.parsing.native).";
  // A failed read(2) or lseek(2) of the caller's file is an OSError with its errno, as a
  // Python read would raise, not a RuntimeError: callers handle both engines' errors alike.
  nb::register_exception_translator([](const std::exception_ptr& error, void*) {
    try {
      std::rethrow_exception(error);
    } catch (const std::system_error& e) {
      PyObject* args = Py_BuildValue("(is)", e.code().value(), e.what());
      if (args != nullptr) {
        PyErr_SetObject(PyExc_OSError, args);
        Py_DECREF(args);
      }
    }
  });
  nb::dict limits;
  limits["MAX_RECORD_BYTES"] = nb::int_(argus::kMaxRecordBytes);
  limits["MAX_JSON_DEPTH"] = nb::int_(argus::kMaxJsonDepth);
  limits["MAX_JSON_INT_DIGITS"] = nb::int_(argus::kMaxJsonIntDigits);
  limits["MAX_EVENTS_PER_KIND"] = nb::int_(argus::kMaxEventsPerKind);
  limits["MAX_ERRORS"] = nb::int_(argus::kMaxErrors);
  m.attr("LIMITS") = limits;
  nb::list kinds;
  for (int k = 0; k < argus::kErrorKindCount; ++k) {
    kinds.append(nb::str(argus::kind_name(static_cast<argus::ErrorKind>(k))));
  }
  m.attr("ERROR_KINDS") = nb::tuple(kinds);

  nb::class_<Parser>(m, "Parser")
      .def(
          "__init__",
          [](Parser* self, uint64_t max_overrun_bytes, unsigned threads,
             uint64_t threads_from_bytes) {
            new (self)
                Parser(make_options(max_overrun_bytes, 4u << 20, threads, threads_from_bytes));
          },
          nb::kw_only(), nb::arg("max_overrun_bytes") = uint64_t{64} << 20,
          nb::arg("threads") = 1u, nb::arg("threads_from_bytes") = kThreadsFromBytes)
      .def("feed", &Parser::feed, nb::arg("data"))
      .def("finish", &Parser::finish)
      .def_prop_ro("done", &Parser::done)
      .def_prop_ro("bytes_received", &Parser::bytes_received)
      .def_prop_ro("buffered_capacity", &Parser::buffered_capacity);

  m.def(
      "parse_fd",
      [](int fd, uint64_t max_overrun_bytes, size_t read_size, unsigned threads,
         uint64_t threads_from_bytes, uint64_t map_from_bytes) {
        Options options = make_options(max_overrun_bytes, read_size, threads, threads_from_bytes);
        options.map_from_bytes = map_from_bytes;
        McapReader reader(options);
        {
          nb::gil_scoped_release release;
          reader.read_fd(fd);
        }
        return to_dict(reader.result());
      },
      nb::arg("fd"), nb::kw_only(), nb::arg("max_overrun_bytes") = uint64_t{64} << 20,
      nb::arg("read_size") = size_t{4} << 20, nb::arg("threads") = 1u,
      nb::arg("threads_from_bytes") = kThreadsFromBytes,
      nb::arg("map_from_bytes") = Options().map_from_bytes);

  m.def(
      "crc32",
      [](nb::bytes data, uint32_t crc) {
        return argus::crc32(reinterpret_cast<const uint8_t*>(data.c_str()), data.size(), crc);
      },
      nb::arg("data"), nb::arg("crc") = 0);
}

"""Shared pieces of the Python engine's tests: shared data paths, builders, parsed bytes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from mcap.reader import make_reader
from mcap.writer import CompressionType, Writer
from mcap_ros2.decoder import DecoderFactory

from argus.domain.parsed_file import ParsedFile
from argus.infrastructure.parsing import PythonMcapParser

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
ROS2_DIR = SHARED_DATA / "mcap" / "ros2"
CONFORMANCE_DIR = SHARED_DATA / "mcap" / "conformance" / "data"
ROS2_FILES = sorted(ROS2_DIR.glob("*.mcap"))
CONFORMANCE_FILES = sorted(CONFORMANCE_DIR.glob("*/*.mcap"))
LEVEL_NAMES = {10: "DEBUG", 20: "INFO", 30: "WARN", 40: "ERROR", 50: "FATAL"}
PARSER = PythonMcapParser()


def decoded_rosout(path: Path) -> list[tuple[int, Any]]:
    """(log_time, decoded Log) of every /rosout message, decoded by mcap_ros2, not by us."""
    with open(path, "rb") as stream:
        reader = make_reader(stream, decoder_factories=[DecoderFactory()])
        return [
            (message.log_time, ros_msg)
            for _, _, message, ros_msg in reader.iter_decoded_messages(topics=["/rosout"])
        ]


def parse_bytes(data: bytes) -> ParsedFile:
    return PARSER.parse(io.BytesIO(data))


def build_mcap(
    messages: list[tuple[str, int, bytes]],
    *,
    schemas: dict[str, tuple[str, str]] | None = None,
    chunked: bool = True,
) -> bytes:
    """An MCAP with one channel per distinct (channel key); `schemas` maps key -> (schema,
    encoding); a key "topic#n" is another channel on `topic`."""
    out = io.BytesIO()
    writer = Writer(out, compression=CompressionType.NONE, use_chunking=chunked)
    writer.start("ros2", "test")
    channel_ids: dict[str, int] = {}
    for key, log_time, data in messages:
        if key not in channel_ids:
            schema, encoding = (schemas or {}).get(key, ("std_msgs/msg/String", "cdr"))
            schema_id = writer.register_schema(schema, "ros2msg", b"")
            topic = key.split("#")[0]
            channel_ids[key] = writer.register_channel(topic, encoding, schema_id)
        writer.add_message(channel_ids[key], log_time, data, log_time)
    writer.finish()  # type: ignore[no-untyped-call]
    return out.getvalue()

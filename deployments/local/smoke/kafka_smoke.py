"""Python-side proof that the local Kafka works: 3-partition topic, produce, consume.

Needs `aiokafka` (not a project dependency): run it from a throwaway venv, e.g.
    python3 -m venv /tmp/argus-smoke && /tmp/argus-smoke/bin/pip install aiokafka boto3
    /tmp/argus-smoke/bin/python deployments/local/smoke/kafka_smoke.py
Env: KAFKA_BOOTSTRAP (default 127.0.0.1:9092).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")


async def main() -> None:
    topic = f"argus-aiokafka-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
        described = await admin.describe_topics([topic])
        print("partitions:", len(described[0]["partitions"]))

        producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all")
        await producer.start()
        try:
            # the first send right after create_topics may log one NotLeaderForPartition
            # retry while leadership propagates; aiokafka retries it by itself
            meta = await producer.send_and_wait(topic, b"hello-from-aiokafka", key=b"k1")
        finally:
            await producer.stop()
        print("produced to partition", meta.partition, "offset", meta.offset)

        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=BOOTSTRAP,
            group_id=f"{topic}-group",
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            t0 = time.monotonic()
            msg = await asyncio.wait_for(consumer.getone(), 30)
        finally:
            await consumer.stop()
        assert msg.value == b"hello-from-aiokafka", msg.value
        elapsed = time.monotonic() - t0
        print(f"consumed {msg.value!r} from partition {msg.partition} in {elapsed:.2f}s")
        await admin.delete_topics([topic])
    finally:
        await admin.close()
    print("KAFKA SMOKE OK")


if __name__ == "__main__":
    asyncio.run(main())

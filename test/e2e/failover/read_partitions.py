"""Reads every partition of a topic from the beginning to its high watermark, without a group.

Prints one JSON object: {"high": {p: hw}, "records": {p: [[offset, id], ...]}} where id is the
integer in the message value.
"""

import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition


def watermark(consumer, topic, p, deadline):
    # Right after a failover the client may still ask the old leader: retry until the deadline.
    while True:
        try:
            return consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
        except KafkaException as exc:
            if time.time() > deadline:
                raise
            sys.stderr.write("watermark of partition %d: %s; retrying\n" % (p, exc))
            time.sleep(0.2)


def main():
    cfg = json.loads(sys.argv[1])
    topic = cfg["topic"]
    partitions = list(range(int(cfg["partitions"])))
    consumer = Consumer(
        {
            "bootstrap.servers": cfg["bootstrap"],
            # Required by the client; assign() below never joins the group nor commits.
            "group.id": "failover-reader",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    deadline = time.time() + float(cfg.get("timeout_s", 60))
    high = {p: watermark(consumer, topic, p, deadline) for p in partitions}
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    records = {p: [] for p in partitions}
    pending = {p for p in partitions if high[p] > 0}
    while pending:
        if time.time() > deadline:
            print(json.dumps({"error": "timeout", "pending": sorted(pending), "high": high,
                              "read": {p: len(r) for p, r in records.items()}}))
            sys.exit(2)
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        p = msg.partition()
        if msg.error():
            if msg.error().code() != KafkaError._PARTITION_EOF:
                sys.stderr.write("consume error: %s\n" % msg.error())
            elif p in pending and (msg.offset() >= high[p]):
                pending.discard(p)
            continue
        if msg.offset() < high[p]:
            records[p].append([msg.offset(), int(msg.value())])
        if msg.offset() + 1 >= high[p]:
            pending.discard(p)
    consumer.close()
    print(json.dumps({"high": high, "records": records}))


if __name__ == "__main__":
    main()

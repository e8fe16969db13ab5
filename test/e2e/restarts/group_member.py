"""A consumer-group member (librdkafka) for the restart tests, reading numbered messages.

Commits synchronously after every batch and retries a commit that failed for a retriable reason
(the coordinator restarting), so a record is delivered twice only when its commit was lost to a
rebalance, which the member reports. Events, one JSON line each on stdout:
  {"ev": "assigned"|"revoked", "partitions": [...]}
  {"ev": "records", "records": [[partition, offset, id], ...], "lost_commit": code or null}
  {"ev": "error", "code": name, "fatal": bool, "retriable": bool, "err": text}
  {"ev": "closed"}
A line on stdin (or EOF) asks it to commit, leave and close.
"""

import json
import os
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

# The client drivers' JSON-lines protocol and stop signal (test/e2e/clients/python/common.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
from common import emit, stop_requested  # noqa: E402

# Commit failures that mean the partitions moved on: the commit is lost, as Kafka's semantics say.
LOST = {
    KafkaError.ILLEGAL_GENERATION,
    KafkaError.UNKNOWN_MEMBER_ID,
    KafkaError.REBALANCE_IN_PROGRESS,
    KafkaError.FENCED_INSTANCE_ID,
}


def error_event(err):
    return {"ev": "error", "code": err.name(), "fatal": err.fatal(), "retriable": err.retriable(), "err": str(err)}


def commit(consumer, offsets):
    deadline = time.time() + 60
    while True:
        try:
            consumer.commit(offsets=offsets, asynchronous=False)
            return None
        except KafkaException as exc:
            err = exc.args[0]
            if err.code() in LOST or err.fatal() or time.time() > deadline:
                emit(error_event(err))
                return err.name()
            time.sleep(0.1)


def requery_committed(consumer):
    """librdkafka (up to at least 2.x, confluentinc/librdkafka#5586) never retries an OffsetFetch
    that a stale coordinator answered NOT_COORDINATOR: the partitions it asked for are never fetched
    again. Kafka brokers answer so whenever a coordinator moves (here: a whole-cluster restart). The
    workaround the issue names: assign the same partitions again, so their committed offsets are
    queried from the current coordinator. Nothing is lost: commits are synchronous."""
    assignment = consumer.assignment()
    if assignment:
        emit({"ev": "requeried", "partitions": sorted(tp.partition for tp in assignment)})
        consumer.assign([TopicPartition(tp.topic, tp.partition) for tp in assignment])


def main():
    cfg = json.loads(sys.argv[1])
    topic = cfg["topic"]
    consumer = Consumer(
        {
            "bootstrap.servers": cfg["bootstrap"],
            "group.id": cfg["group"],
            "client.id": cfg["name"],
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 500,
            "fetch.wait.max.ms": 100,
            "error_cb": lambda err: emit(error_event(err)),
            **({"debug": cfg["debug"]} if cfg.get("debug") else {}),
        }
    )
    consumer.subscribe(
        [topic],
        on_assign=lambda c, ps: emit({"ev": "assigned", "partitions": sorted(tp.partition for tp in ps)}),
        on_revoke=lambda c, ps: emit({"ev": "revoked", "partitions": sorted(tp.partition for tp in ps)}),
    )
    try:
        while not stop_requested():
            records = []
            next_offsets = {}
            for m in consumer.consume(num_messages=1000, timeout=0.2):
                if m.error() is not None:
                    if m.error().code() != KafkaError._PARTITION_EOF:
                        emit(error_event(m.error()))
                    if m.error().code() == KafkaError.NOT_COORDINATOR:
                        requery_committed(consumer)
                    continue
                records.append([m.partition(), m.offset(), int(m.value())])
                next_offsets[m.partition()] = m.offset() + 1
            if records:
                lost = commit(consumer, [TopicPartition(topic, p, o) for p, o in next_offsets.items()])
                emit({"ev": "records", "records": records, "lost_commit": lost})
    finally:
        consumer.close()
        emit({"ev": "closed"})


if __name__ == "__main__":
    main()

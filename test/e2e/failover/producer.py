"""Produces numbered messages with acks=all until a line "stop" (or EOF) arrives on stdin.

Message id n goes to partition n % partitions, key and value are str(n). Every delivery report is
one JSON line on stdout, stamped with the wall clock in ms when the callback ran:
  {"ev": "ack", "id": n, "p": partition, "o": offset, "t": ms}
  {"ev": "nack", "id": n, "p": partition, "err": "...", "t": ms}
  {"ev": "error", "err": "...", "fatal": bool, "t": ms}      (client-level errors)
  {"ev": "done", "produced": count, "unfinished": count, "t": ms}
"""

import json
import sys
import threading
import time

from confluent_kafka import Producer


def now_ms():
    return time.time() * 1000.0


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    cfg = json.loads(sys.argv[1])
    partitions = int(cfg["partitions"])
    inflight = int(cfg.get("inflight", 200))
    conf = {
        "bootstrap.servers": cfg["bootstrap"],
        "acks": "all",
        "enable.idempotence": bool(cfg.get("idempotent", False)),
        "linger.ms": 2,
        "message.timeout.ms": int(cfg.get("message_timeout_ms", 60000)),
        "error_cb": lambda err: emit(
            {"ev": "error", "err": str(err), "fatal": err.fatal(), "t": now_ms()}
        ),
    }
    conf.update(cfg.get("conf", {}))
    if cfg.get("debug"):
        conf["debug"] = cfg["debug"]
    producer = Producer(conf)
    stopping = threading.Event()

    def watch_stdin():
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        stopping.set()

    threading.Thread(target=watch_stdin, daemon=True).start()

    def on_delivery(err, msg, msg_id):
        if err is None:
            emit({"ev": "ack", "id": msg_id, "p": msg.partition(), "o": msg.offset(), "t": now_ms()})
        else:
            emit({"ev": "nack", "id": msg_id, "p": msg.partition(), "err": str(err), "t": now_ms()})

    next_id = 0
    while not stopping.is_set():
        if len(producer) >= inflight:
            producer.poll(0.005)
            continue
        msg_id = next_id
        payload = str(msg_id).encode()
        try:
            producer.produce(
                cfg["topic"],
                key=payload,
                value=payload,
                partition=msg_id % partitions,
                on_delivery=lambda err, msg, i=msg_id: on_delivery(err, msg, i),
            )
        except BufferError:
            producer.poll(0.005)
            continue
        except Exception as exc:  # a fatal idempotence error surfaces here as KafkaException
            emit({"ev": "error", "err": str(exc), "fatal": True, "t": now_ms()})
            break
        next_id += 1
        producer.poll(0)

    unfinished = producer.flush(float(cfg.get("flush_s", 30)))
    emit({"ev": "done", "produced": next_id, "unfinished": unfinished, "t": now_ms()})


if __name__ == "__main__":
    main()

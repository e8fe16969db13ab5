import * as grpc from "@grpc/grpc-js";
import type { Logger } from "../../../shared/log.ts";
import { decodeBatch } from "./envelope.ts";
import { helloReply, type Identity, refuseHello } from "./handshake.ts";
import type { ClientFrame, ForwardReplyMsg, ForwardRequestMsg, HelloMsg, ServerFrame } from "./proto.ts";
import type { GroupPayload } from "./types.ts";

export interface ServerHandlers {
  self: Identity;
  logger: Logger;
  isPeer: (id: number) => boolean;
  onBatch: (from: number, items: GroupPayload[], bytes: number) => void;
  onForward?: (from: number, group: string, kind: string, payload: Uint8Array) => Promise<Uint8Array>;
  // A peer opened its stream to us: it is up, so our own link to it need not wait out its backoff.
  onPeerHello?: (from: number) => void;
}

const NO_HELLO: HelloMsg = { clusterId: "", fromNode: 0, toNode: 0, protocolVersion: 0 };

// The inbound side: accepts one stream per calling peer (a newer stream from the same node replaces a
// half-dead older one) and forwarded proposals, both only after the caller's hello checks out.
export function raftServiceImpl(h: ServerHandlers): grpc.UntypedServiceImplementation {
  const inbound = new Map<number, grpc.ServerDuplexStream<ClientFrame, ServerFrame>>();
  const warned = new Set<string>();

  const refuseOnce = (what: string, hello: HelloMsg, reason: string) => {
    const key = `${what}|${hello.clusterId}|${hello.fromNode}|${reason}`;
    if (warned.has(key) || warned.size > 1000) return;
    warned.add(key);
    h.logger.warn({ from: hello.fromNode, cluster: hello.clusterId }, `refused raft ${what}: ${reason}`);
  };

  const stream = (call: grpc.ServerDuplexStream<ClientFrame, ServerFrame>) => {
    let from: number | undefined;
    const forget = () => {
      if (from !== undefined && inbound.get(from) === call) inbound.delete(from);
    };
    // A cancelled or broken stream is the caller's to reopen; nothing to report here.
    call.on("error", forget);
    call.on("cancelled", forget);
    call.on("end", () => {
      forget();
      call.end();
    });
    call.on("data", (frame: ClientFrame) => {
      if (from === undefined) {
        const hello = frame.frame === "hello" ? frame.hello : NO_HELLO;
        const refusal = refuseHello(h.self, h.isPeer, hello);
        call.write({ helloReply: helloReply(h.self, refusal) });
        if (refusal !== undefined) {
          refuseOnce("stream", hello, refusal);
          call.end();
          return;
        }
        from = hello.fromNode;
        inbound.get(from)?.end();
        inbound.set(from, call);
        h.onPeerHello?.(from);
        return;
      }
      if (frame.frame !== "batch") return;
      if (!h.isPeer(from)) {
        // The peer list changed since the handshake.
        refuseOnce(
          "stream",
          { clusterId: h.self.clusterId, fromNode: from, toNode: h.self.nodeId, protocolVersion: 0 },
          `node ${from} is no longer a peer`,
        );
        call.end();
        return;
      }
      let items: GroupPayload[];
      try {
        items = decodeBatch(frame.batch);
      } catch (err) {
        h.logger.error({ from, err }, "malformed raft batch; closing the stream");
        call.end();
        return;
      }
      h.onBatch(from, items, frame.batch.byteLength);
    });
  };

  const forward = (
    call: grpc.ServerUnaryCall<ForwardRequestMsg, ForwardReplyMsg>,
    callback: grpc.sendUnaryData<ForwardReplyMsg>,
  ) => {
    const req = call.request;
    const hello = req.hello ?? NO_HELLO;
    const refusal = refuseHello(h.self, h.isPeer, hello);
    if (refusal !== undefined) {
      refuseOnce("forward", hello, refusal);
      callback({ code: grpc.status.FAILED_PRECONDITION, details: refusal });
      return;
    }
    if (!h.onForward) {
      callback({
        code: grpc.status.UNIMPLEMENTED,
        details: `node ${h.self.nodeId} takes no forwarded proposals`,
      });
      return;
    }
    h.onForward(hello.fromNode, req.group, req.kind, req.payload).then(
      (payload) => callback(null, { payload }),
      (err: unknown) =>
        callback({ code: grpc.status.ABORTED, details: err instanceof Error ? err.message : String(err) }),
    );
  };

  return { Stream: stream as grpc.UntypedHandleCall, Forward: forward as grpc.UntypedHandleCall };
}

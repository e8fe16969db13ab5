import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchFieldHeader, loadRaftService, readBatchField } from "../../../data-node/src/transport/proto.ts";

// The Stream method's request codec: batches take the hand-written path, and must stay byte-for-byte
// what protobuf.js would write and read, so either side may use either path.
const method = () => loadRaftService().definition.Stream;

describe("raft.proto batch fast path", () => {
  it("writes the bytes protobuf.js writes for a batch frame, and reads them back as a view", () => {
    const { requestSerialize, requestDeserialize } = method();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), (envelope) => {
        const ours = Buffer.concat([batchFieldHeader(envelope.byteLength), envelope]);
        const theirs = requestSerialize({ frame: "encoded", encoded: ours });
        expect(theirs).toBe(ours);
        const decoded = requestDeserialize(ours) as { frame: string; batch: Uint8Array };
        expect(decoded.frame).toBe("batch");
        expect([...decoded.batch]).toEqual([...envelope]);
        expect(decoded.batch.buffer).toBe(ours.buffer);
      }),
      { numRuns: 50 },
    );
  });

  it("leaves handshakes and anything but a lone batch field to protobuf.js", () => {
    const { requestSerialize, requestDeserialize } = method();
    const hello = { clusterId: "c", fromNode: 1, toNode: 2, protocolVersion: 1 };
    const bytes = requestSerialize({ hello });
    expect(readBatchField(bytes)).toBeUndefined();
    expect(requestDeserialize(bytes)).toMatchObject({ frame: "hello", hello });
    // A batch field whose length does not match the frame is not taken as a batch.
    expect(readBatchField(Buffer.from([0x12, 5, 1, 2]))).toBeUndefined();
    expect(readBatchField(Buffer.from([0x12, 0x80]))).toBeUndefined();
  });
});

// Child process for baseline (a): accepts one loopback TCP connection carrying length-prefixed
// batches, appends each batch to a file (optionally fdatasync after each), and acks each batch with
// a 4-byte sequence number once it is written (and synced). Prints {"port":N} when listening and a
// summary line when the sender closes.
import { closeSync, fdatasyncSync, openSync, unlinkSync, writeSync } from "node:fs";
import { createServer } from "node:net";

const [file, syncArg] = process.argv.slice(2);
const sync = syncArg === "sync";
const fd = openSync(file, "w");

const server = createServer((socket) => {
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  let buffered = 0;
  let seq = 0;
  let bytes = 0;
  const take = (n: number): Buffer => {
    const out = chunks.length === 1 && chunks[0].length === n ? chunks[0] : Buffer.concat(chunks, buffered);
    chunks.length = 0;
    const rest = out.subarray(n);
    if (rest.length > 0) chunks.push(rest);
    buffered -= n;
    return out.subarray(0, n);
  };
  socket.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    buffered += chunk.length;
    const acks: Buffer[] = [];
    for (;;) {
      if (buffered < 4) break;
      const head = chunks[0].length >= 4 ? chunks[0] : Buffer.concat(chunks, buffered);
      const len = head.readUInt32BE(0);
      if (buffered < 4 + len) break;
      const frame = take(4 + len);
      writeSync(fd, frame, 4, len);
      if (sync) fdatasyncSync(fd);
      bytes += len;
      const ack = Buffer.allocUnsafe(4);
      ack.writeUInt32BE(seq++ >>> 0, 0);
      acks.push(ack);
    }
    if (acks.length > 0) socket.write(acks.length === 1 ? acks[0] : Buffer.concat(acks));
  });
  socket.on("end", () => {
    socket.end();
    closeSync(fd);
    unlinkSync(file);
    process.stdout.write(`${JSON.stringify({ done: true, bytes, batches: seq })}\n`);
    server.close();
  });
});

server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  if (addr && typeof addr === "object") process.stdout.write(`${JSON.stringify({ port: addr.port })}\n`);
});

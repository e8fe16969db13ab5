// Child process for the physical consume path: writes a file of the given size, reads it once to
// warm the page cache, then streams it to the first loopback TCP connection in 1 MiB reads,
// respecting socket back-pressure. Prints {"port":N} when listening.
import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { createServer } from "node:net";

const [file, sizeArg] = process.argv.slice(2);
const chunk = Buffer.alloc(1024 * 1024);
for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + 7) % 251;
const chunks = Math.max(1, Math.floor(Number(sizeArg) / chunk.length));
const wfd = openSync(file, "w");
for (let i = 0; i < chunks; i++) writeSync(wfd, chunk);
closeSync(wfd);
const fd = openSync(file, "r");
while (readSync(fd, chunk, 0, chunk.length, null) > 0);

const server = createServer((socket) => {
  let position = 0;
  const pump = () => {
    for (;;) {
      // A fresh buffer per write: the socket may still hold the previous one.
      const buf = Buffer.allocUnsafe(1024 * 1024);
      const n = readSync(fd, buf, 0, buf.length, position);
      if (n === 0) {
        socket.end();
        return;
      }
      position += n;
      if (!socket.write(n === buf.length ? buf : buf.subarray(0, n))) {
        socket.once("drain", pump);
        return;
      }
    }
  };
  socket.on("close", () => {
    closeSync(fd);
    unlinkSync(file);
    server.close();
  });
  pump();
});

server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  if (addr && typeof addr === "object") process.stdout.write(`${JSON.stringify({ port: addr.port })}\n`);
});

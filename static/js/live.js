// The client half of the live protocol: connect with the last seq seen, apply each message
// once and in order, keep what is on screen while the connection is down.
import { io } from "../vendor/socket.io/socket.io.esm.min.js";

export function connectLive(namespace, slug, handlers, onStatus) {
  let lastSeq = 0;
  let synced = false; // "connect" may arrive after the catch-up messages: never undo "live"
  const socket = io(namespace, {
    auth: (cb) => cb({ event: slug, last_seq: lastSeq }),
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelayMax: 5000,
  });
  const accept = (name, handler) => socket.on(name, (msg) => {
    if (name !== "snapshot" && typeof msg.seq === "number" && msg.seq <= lastSeq) return; // seen
    handler(msg);
    if (typeof msg.seq === "number") lastSeq = Math.max(lastSeq, msg.seq);
  });
  socket.on("snapshot", (msg) => { handlers.snapshot(msg); lastSeq = msg.seq; });
  for (const [name, handler] of Object.entries(handlers)) {
    if (name !== "snapshot" && name !== "synced") accept(name, handler);
  }
  socket.on("synced", (msg) => { lastSeq = Math.max(lastSeq, msg.seq); synced = true; onStatus("live"); });
  socket.on("connect", () => { if (!synced) onStatus("syncing"); });
  socket.on("disconnect", () => { synced = false; onStatus("offline"); });
  socket.on("connect_error", (err) => onStatus("offline", err && err.message));
  socket.io.on("reconnect_attempt", () => onStatus("reconnecting"));
  return { socket, seq: () => lastSeq };
}

// The client half of the live protocol: connect with the last seq seen, apply each message
// once and in order, keep what is on screen while the connection is down.
import { io } from "../vendor/socket.io/socket.io.esm.min.js";

// `startSeq`: the change the page already reflects (rendered by the server), so the server
// replays only what came after it instead of sending a snapshot.
export function connectLive(namespace, slug, handlers, onStatus, startSeq = 0) {
  let lastSeq = startSeq;
  let synced = false; // "connect" may arrive after the catch-up messages: never undo "live"
  const socket = io(namespace, {
    auth: (cb) => cb({ event: slug, last_seq: lastSeq }),
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelayMax: 5000,
  });
  const apply = (name, msg) => {
    const handler = handlers[name];
    if (!handler || name === "snapshot" || name === "synced") return;
    if (typeof msg.seq === "number" && msg.seq <= lastSeq) return; // seen already
    handler(msg);
    if (typeof msg.seq === "number") lastSeq = Math.max(lastSeq, msg.seq);
  };
  socket.on("snapshot", (msg) => { handlers.snapshot(msg); lastSeq = msg.seq; });
  for (const name of Object.keys(handlers)) socket.on(name, (msg) => apply(name, msg));
  // A burst travels as one frame: its messages, in order, each applied as if alone.
  socket.on("batch", (msg) => { for (const [name, inner] of msg.messages) apply(name, inner); });
  socket.on("synced", (msg) => { lastSeq = Math.max(lastSeq, msg.seq); synced = true; onStatus("live"); });
  socket.on("connect", () => { if (!synced) onStatus("syncing"); });
  socket.on("disconnect", () => { synced = false; onStatus("offline"); });
  socket.on("connect_error", (err) => onStatus("offline", err && err.message));
  socket.io.on("reconnect_attempt", () => onStatus("reconnecting"));
  return { socket, seq: () => lastSeq };
}

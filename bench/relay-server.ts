/**
 * The baseline: a bare `ws` relay with no persistence, no auth and no ordering — the least a chat
 * server can do. Run as its own process by the bench, so its RSS is measured like Hearth's.
 * A client's first frame is the room it joins; every later frame is forwarded to the room's other sockets.
 */
import { type WebSocket, WebSocketServer } from "ws";

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
const rooms = new Map<string, Set<WebSocket>>();

wss.on("connection", (ws) => {
  let room: Set<WebSocket> | undefined;
  ws.on("message", (data) => {
    if (!room) {
      const name = data.toString();
      room = rooms.get(name) ?? new Set();
      rooms.set(name, room);
      room.add(ws);
      return;
    }
    for (const peer of room) if (peer !== ws) peer.send(data);
  });
  ws.on("close", () => room?.delete(ws));
});

wss.on("listening", () => {
  const { port } = wss.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `ws://127.0.0.1:${port}` })}\n`);
});

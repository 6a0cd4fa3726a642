import type { Agent } from 'node:http';
import type { Socket } from 'node:net';

/** `agent`, whose sockets' errors `onError` hears (the official exporters' agents, exporters.ts, and forkhooks' own sender, http-sender.ts). */
export function watchSockets(agent: Agent, onError: (error: Error) => void): Agent {
  const create = agent.createConnection.bind(agent) as (...args: unknown[]) => Socket;
  agent.createConnection = ((...args: unknown[]) => {
    const socket = create(...args);
    socket.on('error', onError);
    return socket;
  }) as Agent['createConnection'];
  return agent;
}

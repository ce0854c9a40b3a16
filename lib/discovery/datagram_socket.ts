/**
 * The UDP socket both ends of discovery use (`node:dgram`, which Deno runs
 * without `--unstable-net`): bound on every IPv4 address, allowed to
 * broadcast, and never crashing the program on a send that fails (no route,
 * a firewall, Wi-Fi client isolation: discovery is a convenience).
 * @module
 */

import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { errorText } from "../text/error_text.ts";

/** Where a datagram came from. */
export interface DatagramSource {
  address: string;
  port: number;
}

/** A bound UDP socket. */
export class DatagramSocket {
  readonly #socket: dgram.Socket;
  #closed: Promise<void> | undefined;

  private constructor(socket: dgram.Socket) {
    this.#socket = socket;
  }

  /**
   * Binds `0.0.0.0:port` and calls `onMessage` for every datagram. A given
   * port is shared with other programs bound to it, so several rooms can run
   * on one machine; port 0 takes a free port of its own (never shared, or
   * answers could go to another socket on it). Rejects when the port cannot
   * be bound. Needs `--allow-net=0.0.0.0`.
   */
  static async bind(
    port: number,
    onMessage: (bytes: Uint8Array, from: DatagramSource) => void,
  ): Promise<DatagramSocket> {
    const socket = dgram.createSocket({ type: "udp4", reuseAddr: port !== 0 });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, "0.0.0.0", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    // Errors after binding are failed sends, reported to their callbacks.
    socket.on("error", () => {});
    socket.on("message", (bytes, from) => onMessage(bytes, from));
    socket.setBroadcast(true);
    return new DatagramSocket(socket);
  }

  /** The port bound. */
  get port(): number {
    return this.#socket.address().port;
  }

  /**
   * Joins a multicast group on the default interface, with a TTL of 1 (the
   * local network only; 0 is refused by Deno). Throws if the system has no
   * route for multicast.
   */
  joinGroup(group: string): void {
    this.#socket.setMulticastTTL(1);
    this.#socket.addMembership(group);
  }

  /** Sends `bytes`; resolves to why it could not be sent, or undefined. */
  send(bytes: Uint8Array, to: DatagramSource): Promise<string | undefined> {
    return new Promise((resolve) => {
      try {
        this.#socket.send(
          Buffer.from(bytes),
          to.port,
          to.address,
          (error) => resolve(error ? errorText(error) : undefined),
        );
      } catch (error) {
        resolve(errorText(error));
      }
    });
  }

  /** Closes the socket; calling it again returns the same promise. */
  close(): Promise<void> {
    this.#closed ??= new Promise((resolve) => this.#socket.close(resolve));
    return this.#closed;
  }
}

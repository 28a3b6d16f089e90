import WebSocket from 'ws';

export type ChatMessage = Record<string, unknown> & { type: string };

/** A client of `WS /api/v1/agents/:id/chat/stream` that collects what the server sends. */
export class ChatStreamClient {
  readonly received: ChatMessage[] = [];
  closed: { code: number; reason: string } | undefined;
  private readonly waiters: (() => void)[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.received.push(JSON.parse(data.toString('utf8')) as ChatMessage);
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.wake();
    });
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<ChatStreamClient> {
    const socket = new WebSocket(url, { headers });
    const client = new ChatStreamClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits until a received message (from `from` on) satisfies `match`, and returns it. */
  async next(
    match: (message: ChatMessage) => boolean,
    from = 0,
    timeoutMs = 10_000,
  ): Promise<ChatMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found) return found;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason})`);
      if (Date.now() > deadline)
        throw new Error(`no matching message; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.closed;
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/**
 * Batches delivered receipts: messages arriving in a burst cost one `receipt.markDelivered`
 * per conversation, with the highest seq, after a short pause. Works in Node and browsers.
 */
export class DeliveryMarker {
  private readonly pending = new Map<string, number>();
  private readonly sent = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly mark: (conversationId: string, seq: number) => Promise<unknown>,
    private readonly delayMs = 250,
  ) {}

  /** This device holds the conversation up to `seq`. */
  note(conversationId: string, seq: number): void {
    if (this.closed) return;
    const known = Math.max(
      this.sent.get(conversationId) ?? 0,
      this.pending.get(conversationId) ?? 0,
    );
    if (seq <= known) return;
    this.pending.set(conversationId, seq);
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [conversationId, seq] of this.pending) {
      this.sent.set(conversationId, seq);
      this.mark(conversationId, seq).catch(() => {
        // Not marked (offline, signed out): forget it, so the next message tries again.
        if (this.sent.get(conversationId) === seq) this.sent.delete(conversationId);
      });
    }
    this.pending.clear();
  }

  close(): void {
    this.flush();
    this.closed = true;
  }
}

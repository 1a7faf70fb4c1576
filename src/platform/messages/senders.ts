// What a message turns into before it leaves, and the providers that carry it: a sender per
// channel (SMTP for email, an SMS provider). Senders throw; the delivery decides what a failure
// means (retry on the schedule, or fail for good when the provider said the message can never go).

/** A message rendered for its channel: email uses subject, text and html; SMS its sms text. */
export interface RenderedMessage {
  subject: string;
  text: string;
  html: string | null;
  sms: string;
}

/** What delivery hands a sender. */
export interface Envelope {
  /** The message's id: a stable Message-ID / idempotency key, so a resend can be recognised. */
  id: string;
  to: string;
  rendered: RenderedMessage;
}

export interface MessageSender {
  /** The outbound destination name: its breaker, bulkhead and metrics. */
  readonly destination: string;
  /** Hands the message over; resolves with the provider's id for it. */
  send(envelope: Envelope, signal: AbortSignal): Promise<{ providerMessageId: string | null }>;
}

/** The provider refused the message for good (an unknown mailbox, an invalid number): no retry. */
export class PermanentSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentSendError';
  }
}

/** The provider failed this time and asked to be left alone for a while. */
export class TransientSendError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'TransientSendError';
  }
}

const EMAIL = /[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g;
/** International numbers (+…), and runs of eight digits or more. */
const PHONE = /\+\d[\d ()-]{5,}\d|\d{8,}/g;

/** An error's text as stored: addresses and numbers masked (errors echo them), bounded. */
export function maskedError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(EMAIL, '<address>').replace(PHONE, '<number>').slice(0, 1000);
}

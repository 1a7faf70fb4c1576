// Which channels this process delivers, set once when the modules are built (notifications).
// A message of a channel with no provider is `sandboxed` outside production: it stays in the
// sandbox outbox and is never sent, even if a provider is configured later. In production it
// waits `pending` until one is (an unsent password reset is better late than lost).
import type { MessageChannel, MessageState } from './repo.js';

interface DeliveryMode {
  channels: ReadonlySet<MessageChannel>;
  production: boolean;
}

let mode: DeliveryMode = { channels: new Set(), production: false };

export function useMessageDelivery(settings: { channels: MessageChannel[]; production: boolean }): void {
  mode = { channels: new Set(settings.channels), production: settings.production };
}

/** The state a new message of `channel` starts in. */
export function initialState(channel: MessageChannel): MessageState {
  return mode.channels.has(channel) || mode.production ? 'pending' : 'sandboxed';
}

/**
 * One typed map from platform to adapter (principle 2): nothing else in the
 * code switches on a platform's name to decide how to send.
 */
import type { ChannelAdapter, Platform } from "./types.js";
import { apiAdapter } from "./api/adapter.js";
import { lineAdapter } from "./line/adapter.js";
import { messengerAdapter, instagramAdapter } from "./meta/adapter.js";
import { whatsAppAdapter } from "./whatsapp/adapter.js";
import { weChatAdapter } from "./wechat/adapter.js";
import { webchatAdapter } from "./webchat/adapter.js";

const adapters: Partial<Record<Platform, ChannelAdapter>> = {
  api: apiAdapter,
  line: lineAdapter,
  messenger: messengerAdapter,
  instagram: instagramAdapter,
  whatsapp: whatsAppAdapter,
  wechat: weChatAdapter,
  webchat: webchatAdapter,
};

export function registerAdapter(a: ChannelAdapter): void {
  adapters[a.platform] = a;
}

export function adapterFor(platform: string): ChannelAdapter | undefined {
  return adapters[platform as Platform];
}

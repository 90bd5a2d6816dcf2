/**
 * Sending a reply: shown at once as 發送中, posted with a clientMessageId
 * (crypto.randomUUID) so a retry after a lost answer is not sent twice.
 * A WhatsApp reply may quote one of the conversation's messages (ADV-8).
 */
import { useCallback } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { toast } from "../toast";
import type { Message } from "../types";
import { uuid } from "../util";
import { upsertMessage } from "./cache";
import { outbox } from "./outbox";
import { keys } from "./keys";
import { useErrorText } from "./useErrorText";

export function useSendMessage(conversationId: string, memberId: string) {
  const qc = useQueryClient();
  const errorText = useErrorText();

  const post = useCallback(
    async (local: Message) => {
      const cmid = local.clientMessageId!;
      outbox.update(conversationId, cmid, { local: { state: "sending" } });
      try {
        const m = await api.sendMessage(conversationId, local.text, cmid, local.quotedMessageId);
        upsertMessage(qc, m);
        outbox.remove(conversationId, cmid);
        void qc.invalidateQueries({ queryKey: keys.lists });
      } catch (e) {
        const text = errorText(e);
        outbox.update(conversationId, cmid, { local: { state: "failed", error: text } });
        toast(text, "error");
      }
    },
    [conversationId, qc, errorText],
  );

  const send = useCallback(
    (text: string, quoted?: Message | null) => {
      const cmid = uuid();
      const local: Message = {
        id: `local:${cmid}`,
        conversationId,
        direction: "out",
        senderKind: "agent",
        senderMemberId: memberId,
        kind: "text",
        content: { kind: "text", text },
        text,
        platformMessageId: null,
        quotedMessageId: quoted?.id ?? null,
        quote: quoted ? { available: true, id: quoted.id, kind: quoted.kind, text: quoted.text, senderKind: quoted.senderKind } : null,
        status: "sending",
        statusReason: null,
        statusAt: null,
        unsent: false,
        clientMessageId: cmid,
        createdAt: new Date().toISOString(),
        local: { state: "sending" },
      };
      outbox.add(local);
      void post(local);
    },
    [conversationId, memberId, post],
  );

  const retry = useCallback((m: Message) => void post(m), [post]);
  const discard = useCallback((m: Message) => outbox.remove(conversationId, m.clientMessageId!), [conversationId]);
  return { send, retry, discard };
}

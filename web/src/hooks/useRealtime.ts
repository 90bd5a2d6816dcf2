/**
 * Wires the Socket.IO events to the query cache: messages are inserted or
 * updated in place, list rows patched and refetched, counts refetched; after
 * a reconnection everything the gap may have missed is reloaded (ADV-49).
 */
import { useEffect, useRef } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { connectSocket, getSocket, onReconnected, type ServerEvents } from "../socket";
import { toast } from "../toast";
import { debouncer, findMessage, patchListsWithMessage, removeFromLists, upsertMessage } from "./cache";
import { keys } from "./keys";
import type { Conversation } from "../types";

export function useRealtime(openConversationId: string | null, onOpenDeleted: () => void): void {
  const qc = useQueryClient();
  const { t } = useTranslation();
  const tr = useRef(t);
  tr.current = t;
  const open = useRef(openConversationId);
  const deleted = useRef(onOpenDeleted);
  open.current = openConversationId;
  deleted.current = onOpenDeleted;

  useEffect(() => {
    const socket = getSocket();
    const later = debouncer(250);
    const refreshLists = () => later("lists", () => void qc.invalidateQueries({ queryKey: keys.lists }));
    const refreshCounts = () => later("counts", () => void qc.invalidateQueries({ queryKey: keys.counts }));

    const handlers: Partial<ServerEvents> = {
      "message.created": ({ conversationId, message }) => {
        upsertMessage(qc, message);
        patchListsWithMessage(qc, message);
        // A reply to a message not loaded here: the message list answers the quote (ADV-1).
        if (message.quotedMessageId && !findMessage(qc, conversationId, message.quotedMessageId))
          later(`messages:${conversationId}`, () => void qc.invalidateQueries({ queryKey: keys.messages(conversationId) }));
        refreshLists();
        // The member is looking at it: the new customer message is read (VIEW-24).
        if (open.current === conversationId && message.senderKind === "customer" && document.visibilityState === "visible")
          later("view", () => void api.view(conversationId).catch(() => {}));
      },
      "message.updated": ({ message }) => upsertMessage(qc, message),
      "conversation.updated": ({ conversationId }) => {
        void qc.invalidateQueries({ queryKey: keys.conversation(conversationId) });
        void qc.invalidateQueries({ queryKey: keys.statusLog(conversationId) });
        refreshLists();
      },
      "conversation.deleted": ({ conversationId }) => {
        removeFromLists(qc, [conversationId]);
        if (open.current === conversationId) deleted.current();
        qc.removeQueries({ queryKey: keys.conversation(conversationId) });
        qc.removeQueries({ queryKey: keys.messages(conversationId) });
        qc.removeQueries({ queryKey: keys.statusLog(conversationId) });
        refreshCounts();
      },
      "unread.changed": () => {
        refreshLists();
        refreshCounts();
      },
      "counts.changed": () => refreshCounts(),
      // PROF-8: a profile edit shows at once to everyone viewing the customer.
      "contact.updated": ({ contactId }) => {
        void qc.invalidateQueries({ queryKey: keys.contact(contactId) });
        void qc.invalidateQueries({ queryKey: ["conversation"], predicate: (q) => (q.state.data as Conversation | undefined)?.contact?.id === contactId });
        refreshLists();
      },
      notification: (n) => {
        // VIEW-28: a customer message in one's own conversations; not for the one on screen.
        if (n.kind === "customer_message") {
          if (n.conversationId === open.current && document.visibilityState === "visible") return;
          toast(n.contactName ? tr.current("notify.customerMessage", { name: n.contactName, text: n.text }) : n.text, "info", 8000);
        } else toast(n.text, "info", 8000);
      },
    };
    for (const [name, fn] of Object.entries(handlers)) socket.on(name as keyof ServerEvents, fn as never);

    const offReconnect = onReconnected(() => {
      void qc.invalidateQueries({ queryKey: keys.lists });
      void qc.invalidateQueries({ queryKey: keys.counts });
      const id = open.current;
      if (id) {
        // Messages that came during the gap are on screen now: they are read (VIEW-24).
        void api.view(id).catch(() => {});
        void qc.invalidateQueries({ queryKey: keys.conversation(id) });
        void qc.invalidateQueries({ queryKey: keys.messages(id) });
        void qc.invalidateQueries({ queryKey: keys.statusLog(id) });
      }
    });
    connectSocket();
    return () => {
      for (const [name, fn] of Object.entries(handlers)) socket.off(name as keyof ServerEvents, fn as never);
      offReconnect();
      later.cancel();
    };
  }, [qc]);
}

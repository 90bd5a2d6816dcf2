/** Toast messages: a tiny store any module can push to (API errors, realtime notifications). */
import { useSyncExternalStore } from "react";

export type ToastKind = "info" | "success" | "error";
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

export function toast(text: string, kind: ToastKind = "info", ms = kind === "error" ? 7000 : 4000): number {
  const id = nextId++;
  // The same text twice in a row (e.g. a double click) is shown once.
  toasts = [...toasts.filter((t) => t.text !== text), { id, kind, text }].slice(-4);
  emit();
  window.setTimeout(() => dismissToast(id), ms);
  return id;
}

export function dismissToast(id: number): void {
  if (!toasts.some((t) => t.id === id)) return;
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

export function useToasts(): Toast[] {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => toasts,
  );
}

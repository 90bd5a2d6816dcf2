/**
 * A popup above a button (the composer's menus, the sticker window): while
 * open, a click outside `root` closes it, and so does Escape, which then
 * gives the focus back to the button and goes no further.
 */
import { useEffect, type KeyboardEvent, type RefObject } from "react";

export function useDismiss(root: RefObject<HTMLElement | null>, open: boolean, close: () => void, button?: RefObject<HTMLElement | null>) {
  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) close();
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open, root, close]);

  /** For the root's onKeyDown; true when it handled the key. */
  return (e: KeyboardEvent): boolean => {
    if (e.key !== "Escape" || !open) return false;
    e.stopPropagation();
    close();
    button?.current?.focus();
    return true;
  };
}

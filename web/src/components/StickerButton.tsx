/**
 * 「貼圖」 (MEDIA-19) below the input, in conversations whose channel sends
 * stickers: LINE's official stickers; hidden elsewhere (MEDIA-17, MEDIA-23).
 * The window shows the first pack by default; packs switch at its bottom,
 * where 「近期發送紀錄」 keeps this member's last 16 (MEDIA-22). Clicking a
 * sticker sends it; Escape or a click outside closes the window.
 */
import { useCallback, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { stickerImageUrl, stickerPacksFor, withRecent, type StickerRef } from "../../../src/domain/stickers.js";
import { upsertMessage } from "../hooks/cache";
import { keys } from "../hooks/keys";
import { useDismiss } from "../hooks/useDismiss";
import { useErrorText } from "../hooks/useErrorText";
import { loadRecentStickers, saveRecentStickers } from "../stickers";
import { toast } from "../toast";
import { uuid } from "../util";
import { Icon } from "./Icon";

interface Props {
  conversationId: string;
  platform: string;
  memberId: string;
  disabled: boolean;
}

const RECENT = "recent";

export function StickerButton({ conversationId, platform, memberId, disabled }: Props) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const packs = stickerPacksFor(platform);
  const [open, setOpen] = useState(false);
  const [tab, setTab] = useState(packs[0]?.packageId ?? "");
  const [recent, setRecent] = useState<StickerRef[]>(() => loadRecentStickers(memberId));
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);
  const dismissKey = useDismiss(root, open, close, button);

  if (!packs.length) return null;

  const shown: StickerRef[] =
    tab === RECENT ? recent : (packs.find((p) => p.packageId === tab) ?? packs[0]).stickerIds.map((stickerId) => ({ packageId: tab, stickerId }));

  const send = (s: StickerRef) => {
    setOpen(false);
    const next = withRecent(recent, s);
    setRecent(next);
    saveRecentStickers(memberId, next);
    api
      .sendSticker(conversationId, s.packageId, s.stickerId, uuid())
      .then((m) => {
        upsertMessage(qc, m);
        void qc.invalidateQueries({ queryKey: keys.lists });
      })
      .catch((e: unknown) => toast(errorText(e), "error"));
  };

  return (
    <div className="sticker-picker-root" ref={root} onKeyDown={dismissKey}>
      <button ref={button} type="button" className="icon-btn" aria-label={t("stickers.button")} title={t("stickers.button")} aria-expanded={open} disabled={disabled} onClick={() => setOpen(!open)}>
        <Icon name="sticker" size={18} />
      </button>
      {open && (
        <div className="sticker-window" role="dialog" aria-label={t("stickers.window")}>
          <div className="sticker-grid" role="group" aria-label={tab === RECENT ? t("stickers.recent") : t("stickers.pack", { id: tab })}>
            {shown.length === 0 && <p className="muted small sticker-empty">{t("stickers.noRecent")}</p>}
            {shown.map((s) => (
              <button key={`${s.packageId}/${s.stickerId}`} type="button" className="sticker-cell" aria-label={t("stickers.send", { id: s.stickerId })} onClick={() => send(s)}>
                {/* The id shows where LINE's picture cannot load (no internet). */}
                <img src={stickerImageUrl(s.stickerId)} alt={s.stickerId} loading="lazy" draggable={false} />
              </button>
            ))}
          </div>
          <div className="sticker-tabs" role="tablist" aria-label={t("stickers.packs")}>
            <button type="button" role="tab" aria-selected={tab === RECENT} className="sticker-tab sticker-tab-recent" title={t("stickers.recent")} onClick={() => setTab(RECENT)}>
              <Icon name="clock" size={16} />
              <span className="sr-only">{t("stickers.recent")}</span>
            </button>
            {packs.map((p) => (
              <button key={p.packageId} type="button" role="tab" aria-selected={tab === p.packageId} className="sticker-tab" aria-label={t("stickers.pack", { id: p.packageId })} onClick={() => setTab(p.packageId)}>
                <img src={stickerImageUrl(p.stickerIds[0])} alt={p.packageId} loading="lazy" draggable={false} />
              </button>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

/**
 * 「可移轉人員」: active members, searchable by name and filterable by role
 * (VIEW-44); the current follower and, for groups, roles without group
 * access are left out (LIFE-37). Picking a member, then 「移轉事件」, then
 * confirming.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ROLES, ROLE_NAMES, can, localized, type Role } from "../domain";
import { useMembers } from "../hooks/queries";
import { useDebounced } from "../hooks/useDebounced";
import { initialOf } from "../util";
import { Modal } from "./Modal";

interface Props {
  /** How many conversations move (1 for a single transfer). */
  count: number;
  excludeIds: string[];
  groupOnly: boolean;
  busy: boolean;
  onConfirm: (memberId: string) => void;
  onClose: () => void;
}

export function TransferDialog({ count, excludeIds, groupOnly, busy, onConfirm, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const [q, setQ] = useState("");
  const [role, setRole] = useState<Role | "">("");
  const [choice, setChoice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const query = useDebounced(q, 250);
  const members = useMembers({ q: query, role }, true);
  const list = (members.data ?? []).filter((m) => !excludeIds.includes(m.id) && (!groupOnly || can(m.role, "use_groups")));
  const chosen = list.find((m) => m.id === choice) ?? null;

  return (
    <Modal
      title={count > 1 ? t("transfer.batchTitle", { count }) : t("transfer.title")}
      onClose={onClose}
      footer={
        confirming && chosen ? (
          <>
            <span className="footer-text">{t("transfer.confirmText", { name: chosen.name, count })}</span>
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              {t("common.cancel")}
            </button>
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => onConfirm(chosen.id)} autoFocus>
              {t("common.confirm")}
            </button>
          </>
        ) : (
          <>
            <button type="button" className="btn" onClick={onClose}>
              {t("common.cancel")}
            </button>
            <button type="button" className="btn btn-primary" disabled={!chosen || busy} onClick={() => setConfirming(true)}>
              {t("transfer.confirm")}
            </button>
          </>
        )
      }
    >
      <div className="transfer-filters">
        <label className="field grow">
          <span className="sr-only">{t("transfer.search")}</span>
          <input type="search" placeholder={t("transfer.search")} value={q} onChange={(e) => setQ(e.target.value)} autoFocus />
        </label>
        <label className="field">
          <span className="sr-only">{t("transfer.role")}</span>
          <select value={role} onChange={(e) => setRole(e.target.value as Role | "")}>
            <option value="">{t("transfer.allRoles")}</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {localized(ROLE_NAMES[r], i18n.language)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <h3 className="section-title" id="transfer-members">
        {t("transfer.members")}
      </h3>
      <div className="member-list" role="radiogroup" aria-labelledby="transfer-members" aria-busy={members.isFetching}>
        {members.isPending ? (
          <p className="muted pad">{t("transfer.loading")}</p>
        ) : list.length === 0 ? (
          <p className="muted pad">{t("transfer.empty")}</p>
        ) : (
          list.map((m) => (
            <label key={m.id} className={choice === m.id ? "member-option is-chosen" : "member-option"}>
              <input
                type="radio"
                name="transfer-target"
                value={m.id}
                checked={choice === m.id}
                onChange={() => {
                  setChoice(m.id);
                  setConfirming(false);
                }}
              />
              <span className="avatar avatar-sm" aria-hidden="true">
                {initialOf(m.name)}
              </span>
              <span className="member-name">{m.name}</span>
              <span className="member-role">{localized(ROLE_NAMES[m.role], i18n.language)}</span>
            </label>
          ))
        )}
      </div>
    </Modal>
  );
}

/**
 * 客人名稱、郵件、電話、備註: shown, and edited after the pencil (PROF-2).
 * WhatsApp fills the phone and it cannot be edited (PROF-3). Checked before
 * saving (PROF-6): an invalid field keeps the form open with its error.
 */
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { keys, useContact } from "../hooks/queries";
import { useErrorText } from "../hooks/useErrorText";
import { toast } from "../toast";
import type { Contact, ContactPatch, Platform } from "../types";
import { Icon } from "./Icon";

type Field = "name" | "email" | "phone" | "note";
const FIELDS: Field[] = ["name", "email", "phone", "note"];
const MAX: Record<Field, number> = { name: 100, email: 320, phone: 40, note: 1000 };
type Draft = Record<Field, string>;

/** PROF-6; the error's i18n key per field, or none. */
function problems(d: Draft): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  if (!d.name.trim()) out.name = "profile.nameRequired";
  if (d.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(d.email.trim())) out.email = "profile.invalidEmail";
  if (d.phone.trim() && !/^\+?[\d\s-]*\d[\d\s-]*$/.test(d.phone.trim())) out.phone = "profile.invalidPhone";
  for (const f of FIELDS) if (!out[f] && d[f].trim().length > MAX[f]) out[f] = "profile.tooLong";
  return out;
}

const draftOf = (c: Contact): Draft => ({ name: c.name ?? "", email: c.email ?? "", phone: c.phone ?? "", note: c.note ?? "" });

export function ProfileFields({ contactId, platform }: { contactId: string; platform: Platform }) {
  const { t } = useTranslation();
  const contact = useContact(contactId);
  const [draft, setDraft] = useState<Draft | null>(null);
  const phoneLocked = platform === "whatsapp";

  if (!contact.data) return <div className="profile-fields is-loading" aria-busy="true" />;
  const c = contact.data;
  if (draft) return <ProfileForm contact={c} draft={draft} onDraft={setDraft} phoneLocked={phoneLocked} onDone={() => setDraft(null)} />;

  return (
    <section className="profile-fields" aria-labelledby="profile-title">
      <div className="section-head">
        <h3 className="section-title" id="profile-title">
          {t("profile.title")}
        </h3>
        <button type="button" className="icon-btn" aria-label={t("profile.edit")} title={t("profile.edit")} onClick={() => setDraft(draftOf(c))}>
          <Icon name="pencil" />
        </button>
      </div>
      <dl className="facts profile-facts">
        {FIELDS.map((f) => (
          <div key={f} className="fact">
            <dt>{t(`profile.${f}`)}</dt>
            <dd className={c[f] ? undefined : "muted"}>{c[f] || t("panel.none")}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

interface FormProps {
  contact: Contact;
  draft: Draft;
  onDraft: (d: Draft) => void;
  phoneLocked: boolean;
  onDone: () => void;
}

function ProfileForm({ contact, draft, onDraft, phoneLocked, onDone }: FormProps) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});

  const save = useMutation({
    mutationFn: (patch: ContactPatch) => api.updateContact(contact.id, patch),
    onSuccess: (_, patch) => {
      toast(t("profile.saved"), "success");
      qc.setQueryData<Contact>(keys.contact(contact.id), (old) => (old ? { ...old, ...patch } : old));
      onDone();
      // The name shows in the header, the list and the search (PROF-8).
      void qc.invalidateQueries({ queryKey: keys.contact(contact.id) });
      void qc.invalidateQueries({ queryKey: ["conversation"] });
      void qc.invalidateQueries({ queryKey: keys.lists });
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = problems(draft);
    setErrors(found);
    if (Object.keys(found).length) return;
    const before = draftOf(contact);
    const patch: ContactPatch = {};
    if (draft.name.trim() !== before.name) patch.name = draft.name.trim();
    if (draft.email.trim() !== before.email) patch.email = draft.email.trim() || null;
    if (!phoneLocked && draft.phone.trim() !== before.phone) patch.phone = draft.phone.trim() || null;
    if (draft.note.trim() !== before.note) patch.note = draft.note.trim() || null;
    if (!Object.keys(patch).length) return onDone();
    save.mutate(patch);
  };

  const field = (f: Field) => {
    const locked = f === "phone" && phoneLocked;
    const err = errors[f];
    const common = {
      id: `profile-${f}`,
      value: draft[f],
      readOnly: locked,
      "aria-invalid": err ? true : undefined,
      "aria-describedby": err ? `profile-${f}-error` : locked ? `profile-${f}-note` : undefined,
      onChange: (e: { target: { value: string } }) => onDraft({ ...draft, [f]: e.target.value }),
    };
    return (
      <div className="field" key={f}>
        <label htmlFor={`profile-${f}`}>{t(`profile.${f}`)}</label>
        {f === "note" ? <textarea rows={3} maxLength={MAX.note + 100} {...common} /> : <input type={f === "email" ? "email" : f === "phone" ? "tel" : "text"} {...common} />}
        {locked && (
          <span className="field-note" id={`profile-${f}-note`}>
            {t("profile.phoneLocked")}
          </span>
        )}
        {err && (
          <span className="field-error" id={`profile-${f}-error`}>
            {t(err as "profile.tooLong", { max: MAX[f] })}
          </span>
        )}
      </div>
    );
  };

  return (
    <form className="profile-form" onSubmit={submit} noValidate aria-label={t("profile.edit")}>
      {FIELDS.map(field)}
      {save.isError && (
        <p className="form-error" role="alert">
          {errorText(save.error)}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="btn btn-small" onClick={onDone}>
          {t("common.cancel")}
        </button>
        <button type="submit" className="btn btn-small btn-primary" disabled={save.isPending}>
          {t("profile.save")}
        </button>
      </div>
    </form>
  );
}

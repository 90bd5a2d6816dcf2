/** 「{...}」 → 【聯絡人姓名】 puts {{system:customer_name}} at the caret (ADV-39, ADV-40, ADV-44); 1-to-1 conversations only (ADV-45). */
import { useTranslation } from "react-i18next";
import { Icon } from "./Icon";
import { MenuButton } from "./MenuButton";

export const CUSTOMER_NAME_VARIABLE = "{{system:customer_name}}";

export function VariableButton({ disabled, onInsert }: { disabled: boolean; onInsert: (text: string) => void }) {
  const { t } = useTranslation();
  return (
    <MenuButton label={t("composer.variables")} disabled={disabled} items={[{ key: "customer_name", label: t("composer.customerName"), onSelect: () => onInsert(CUSTOMER_NAME_VARIABLE) }]}>
      <Icon name="braces" size={18} />
    </MenuButton>
  );
}

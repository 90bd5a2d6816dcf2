/**
 * A small zh/en customer-service vocabulary and a seeded text generator, so
 * generated messages read like an online shop's inbox and every search term
 * has a realistic, known selectivity. Word frequencies follow Zipf's law
 * (weight 1/rank): the first words of each list are common, the last rare.
 * Chinese words are written together without spaces (as customers do), so a
 * message's bigrams also cross word boundaries, like real text.
 */

/** Ordered from most to least frequent. */
export const ZH_WORDS = [
  "你好", "請問", "謝謝", "訂單", "可以", "什麼時候", "已經", "商品", "收到", "還沒",
  "出貨", "運費", "退貨", "付款", "尺寸", "顏色", "客服", "優惠", "庫存", "配送",
  "門市", "取貨", "會員", "點數", "折扣", "換貨", "發票", "信用卡", "地址", "電話",
  "預購", "到貨", "包裹", "物流", "退款", "取消", "保固", "維修", "贈品", "活動",
  "評價", "瑕疵", "缺貨", "補貨", "宅配", "超商", "匯款", "統編", "禮盒", "序號",
] as const;

export const EN_WORDS = [
  "hello", "please", "thanks", "order", "when", "can", "the", "my", "item", "received",
  "shipping", "not", "yet", "size", "color", "refund", "payment", "delivery", "store", "member",
  "points", "discount", "exchange", "invoice", "address", "tracking", "cancel", "stock", "return", "coupon",
  "preorder", "parcel", "courier", "warranty", "repair", "gift", "defect", "restock", "receipt", "voucher",
] as const;

const ZH_PUNCT = ["，", "？", "。", "！", ""];
const EN_PUNCT = [",", "?", ".", "!"];

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function zipfPicker(words: readonly string[]): (r: () => number) => string {
  const cum: number[] = [];
  let sum = 0;
  for (let i = 0; i < words.length; i++) cum.push((sum += 1 / (i + 1)));
  return (r) => {
    const x = r() * sum;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo];
  };
}

const zh = zipfPicker(ZH_WORDS);
const en = zipfPicker(EN_WORDS);

function zhPhrase(r: () => number): string {
  const n = 2 + Math.floor(r() * 5);
  let s = "";
  for (let i = 0; i < n; i++) s += zh(r) + (r() < 0.25 ? ZH_PUNCT[Math.floor(r() * ZH_PUNCT.length)] : "");
  return s;
}

function enPhrase(r: () => number): string {
  const n = 3 + Math.floor(r() * 6);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(en(r));
  const s = words.join(" ");
  return s[0].toUpperCase() + s.slice(1) + EN_PUNCT[Math.floor(r() * EN_PUNCT.length)];
}

/** One message text: 60 % Chinese, 25 % English, 15 % mixed (e.g. "請問 order 12345 到貨了嗎"). */
export function messageText(r: () => number): string {
  const x = r();
  if (x < 0.6) return zhPhrase(r);
  if (x < 0.85) return enPhrase(r);
  return `${zhPhrase(r)} ${en(r)} ${Math.floor(r() * 100000)}`;
}

/** The search terms the benchmark queries: common to rare, Chinese two-character words and English words. */
export const SEARCH_TERMS: { term: string; lang: "zh" | "en" }[] = [
  { term: "訂單", lang: "zh" },
  { term: "退貨", lang: "zh" },
  { term: "發票", lang: "zh" },
  { term: "保固", lang: "zh" },
  { term: "order", lang: "en" },
  { term: "refund", lang: "en" },
  { term: "invoice", lang: "en" },
  { term: "warranty", lang: "en" },
];

// Inline checks of a resident ID number (GB 11643-1999) before the form is sent; the server's own check
// (org-service, zhicheng_kernel.identifiers) stays the one that decides and its refusal shows too.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECKS = "10X98765432";

/** Full-width digits and a lower-case x as people type them, spaces removed. */
export function normaliseIdCard(value: string): string {
  return value
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[ｘx]/g, "X")
    .replace(/\s+/g, "");
}

/** Why the number is not a valid ID number, in Chinese; null when it is. */
export function idCardProblem(value: string): string | null {
  const number = normaliseIdCard(value);
  if (!number) return "请输入身份证号码";
  if (!/^\d{17}[\dX]$/.test(number)) return "身份证号码应为 18 位（前 17 位为数字，末位为数字或 X）";
  const year = Number(number.slice(6, 10));
  const month = Number(number.slice(10, 12));
  const day = Number(number.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== day || birth.getTime() > Date.now()) {
    return "身份证号码中的出生日期不正确";
  }
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(number[i]), 0);
  if (CHECKS[sum % 11] !== number[17]) return "身份证号码末位校验码不正确，请核对";
  return null;
}

/** A person's name as org-service accepts it: 2 to 30 characters, no markup. */
export function displayNameProblem(value: string): string | null {
  const name = value.trim();
  if (name.length < 2 || name.length > 30) return "姓名应为 2 至 30 个字";
  if (/[<>;'"\\`{}]/.test(name)) return "姓名不能含有特殊字符";
  return null;
}

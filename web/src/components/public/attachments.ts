// A complaint's attachments as the public complaint API takes them (POL-PB-1): at most 3 files of at
// most 2 MB, PDF, JPEG or PNG, sent as base64. The server checks the magic bytes again.

export const MAX_ATTACHMENTS = 3;
export const MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024;
const ALLOWED = /\.(pdf|jpe?g|png)$/i;

export interface Attachment {
  filename: string;
  size: number;
  content_base64: string;
}

/** Why `file` cannot be attached (in Chinese), or null. */
export function attachmentProblem(name: string, size: number, already: number): string | null {
  if (already >= MAX_ATTACHMENTS) return "证明材料不超过 3 个";
  if (!ALLOWED.test(name)) return "证明材料只能是 PDF、JPG 或 PNG 文件";
  if (size > MAX_ATTACHMENT_BYTES) return "每个证明材料不超过 2 MB";
  if (size === 0) return "文件为空";
  return null;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

export async function readAttachment(file: File, already: number): Promise<Attachment | string> {
  const problem = attachmentProblem(file.name, file.size, already);
  if (problem) return problem;
  const bytes = new Uint8Array(await file.arrayBuffer());
  return { filename: file.name.slice(-100), size: file.size, content_base64: toBase64(bytes) };
}
